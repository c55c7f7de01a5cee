// The inbox registry's API against a real SMTP+IMAP server (GreenMail), PostgreSQL and the dev
// server: a new inbox is stored only after its logins work; bad policy, unreachable servers and
// refused passwords are 4xx naming the field with nothing stored; secrets never come back and are
// not readable in the database; the implicit inboxes are listed; pause/resume reach the workflow.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../../temporal/net.js';
import { queryInboxStatus } from '../../temporal/inbox-client.js';
import { inboxWorkflowId } from '../../workflows/inbox/contract.js';
import { LEAD_TASK_QUEUE } from '../../workflows/lead/contract.js';
import { inboxApi, type InboxApi, type Problem } from '../helpers/inboxes.js';
import { testLeadWorker } from '../helpers/lead-worker.js';
import { startMailServer, type MailServer } from '../helpers/mailserver.js';
import { startDevStack, type DevStack } from '../helpers/stack.js';

const PASSWORD = 'Very-Secret-Mailbox-Pa55';
const ENV_PASSWORD = 'Env-Held-Secret-77';

describe('inbox registry API', () => {
  let stack: DevStack;
  let mail: MailServer;
  let api: InboxApi;

  before(async () => {
    [stack, mail] = await Promise.all([
      startDevStack(),
      startMailServer({ users: [{ user: 'rep@dealer.example', password: PASSWORD, email: 'rep@dealer.example' }] }),
    ]);
    api = await inboxApi(stack.tdb.db, stack.env.client, { INBOX_T_PASSWORD: ENV_PASSWORD });
  });
  after(async () => {
    await api?.app.close();
    await mail?.stop();
    await stack?.stop();
  });

  const smtpInbox = (id: string, over: Record<string, unknown> = {}) => ({
    id,
    kind: 'smtp',
    address: 'rep@dealer.example',
    displayName: 'Rep at Dealer',
    smtp: { ...mail.smtp, user: 'rep@dealer.example', password: PASSWORD },
    imap: { ...mail.imap, mailbox: 'INBOX' },
    ...over,
  });
  const post = (body: unknown) => api.app.inject({ method: 'POST', url: '/inboxes', headers: api.admin, payload: body as object });
  const stored = async (id: string) => (await api.app.inject({ method: 'GET', url: `/inboxes/${id}`, headers: api.read })).statusCode;
  const fieldOf = (res: { json<T>(): T }) => res.json<Problem>().errors?.[0]?.field;

  test('an inbox whose SMTP and IMAP logins work is stored, without a readable secret anywhere', async () => {
    const res = await post(smtpInbox('rep-1'));
    assert.equal(res.statusCode, 201, res.body);
    const view = res.json<{ settings: { smtp: Record<string, unknown>; imap: Record<string, unknown> }; verifiedAt: string; policy: { dailyCap: number } }>();
    assert.equal(view.settings.smtp.hasPassword, true);
    assert.equal(view.settings.imap.hasPassword, true, 'IMAP takes the SMTP login when it names none');
    assert.equal(view.settings.imap.user, 'rep@dealer.example');
    assert.ok(view.verifiedAt);
    assert.equal(view.policy.dailyCap, 40, 'the runbook defaults');
    for (const url of ['/inboxes', '/inboxes/rep-1']) {
      const got = await api.app.inject({ method: 'GET', url, headers: api.read });
      assert.equal(got.statusCode, 200);
      assert.ok(!got.body.includes(PASSWORD), `${url} shows no secret`);
    }
    assert.ok(!res.body.includes(PASSWORD));
    const row = await stack.tdb.db.selectFrom('inboxes').selectAll().where('id', '=', 'rep-1').executeTakeFirstOrThrow();
    assert.ok(row.secrets_enc !== null && !row.secrets_enc.includes(PASSWORD) && !row.secrets_enc.includes(Buffer.from(PASSWORD).toString('base64')));
    assert.ok(!JSON.stringify(row.settings).includes(PASSWORD));
    assert.deepEqual(JSON.parse(api.box.open(row.secrets_enc, 'inbox:rep-1')), { smtpPassword: PASSWORD, imapPassword: PASSWORD });
    assert.throws(() => api.box.open(row.secrets_enc!, 'inbox:someone-else'), 'bound to its inbox');
    assert.ok(!api.logs.join('').includes(PASSWORD), 'the logs carry no secret');
    // A taken id is a conflict, answered before any login.
    assert.equal((await post(smtpInbox('rep-1'))).statusCode, 409);
  });

  test('a secret named by an environment variable is stored as the name and resolved for the login', async () => {
    const res = await post(smtpInbox('rep-env', { smtp: { ...mail.smtp, user: 'rep@dealer.example', passwordEnv: 'INBOX_T_PASSWORD' }, imap: undefined }));
    // The variable holds a wrong password for GreenMail's user: the login proves it was used.
    assert.equal(res.statusCode, 422, res.body);
    assert.equal(fieldOf(res), 'smtp.passwordEnv');
    const missing = await post(smtpInbox('rep-env', { smtp: { ...mail.smtp, user: 'rep@dealer.example', passwordEnv: 'NOT_SET_ANYWHERE' } }));
    assert.equal(missing.statusCode, 400);
    assert.equal(fieldOf(missing), 'smtp.passwordEnv');
    assert.equal(await stored('rep-env'), 404);
  });

  test('an unreachable SMTP server or a refused password is 422 naming the field, and nothing is stored', async () => {
    const closed = await freePort();
    const unreachable = await post(
      smtpInbox('rep-2', { smtp: { host: '127.0.0.1', port: closed, secure: false, user: 'rep@dealer.example', password: PASSWORD } }),
    );
    assert.equal(unreachable.statusCode, 422, unreachable.body);
    assert.equal(unreachable.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.equal(fieldOf(unreachable), 'smtp.host');
    const refused = await post(smtpInbox('rep-2', { smtp: { ...mail.smtp, user: 'rep@dealer.example', password: 'wrong' }, imap: undefined }));
    assert.equal(refused.statusCode, 422, refused.body);
    assert.equal(fieldOf(refused), 'smtp.password');
    const imapRefused = await post(smtpInbox('rep-2', { imap: { ...mail.imap, user: 'rep@dealer.example', password: 'wrong' } }));
    assert.equal(fieldOf(imapRefused), 'imap.password');
    const noMailbox = await post(smtpInbox('rep-2', { imap: { ...mail.imap, mailbox: 'Nope' } }));
    assert.equal(fieldOf(noMailbox), 'imap.mailbox');
    assert.equal(await stored('rep-2'), 404);
    assert.ok(!api.logs.join('').includes(PASSWORD));
  });

  test('a bad time zone, a window that never opens, a cap of 0 or an unknown field are 400 naming it', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ policy: { window: { timeZone: 'Mars/Olympus' } } }, 'policy.window.timeZone'],
      [{ policy: { window: { startHour: 17, endHour: 9 } } }, 'policy.window.endHour'],
      [{ policy: { window: { days: [6], holidays: [], startHour: 9, endHour: 10, timeZone: 'UTC', recipientTimeZone: false }, dailyCap: 5 } }, ''],
      [{ policy: { dailyCap: 0 } }, 'policy.dailyCap'],
      [{ policy: { dailyCapp: 10 } }, 'policy.dailyCapp'],
      [{ address: 'not-an-address' }, 'address'],
      [{ smtp: { ...mail.smtp, user: 'rep@dealer.example', password: PASSWORD, pasword: 'x' } }, '/smtp/pasword'],
      [{ sendgrid: { apiKey: 'SG.x' } }, 'sendgrid'],
      [{ id: 'default' }, 'id'],
    ];
    for (const [over, field] of cases) {
      const res = await post(smtpInbox('rep-3', over));
      if (field === '') {
        // A window open on Saturdays only is fine: it opens.
        assert.equal(res.statusCode, 201, res.body);
        continue;
      }
      assert.ok(res.statusCode === 400 || res.statusCode === 409, `${JSON.stringify(over)}: ${res.statusCode} ${res.body}`);
      const problem = res.json<Problem>();
      const named = problem.errors?.some((e) => e.field === field || e.field.includes(field) || (e.message ?? '').includes(field.split('/').pop()!));
      assert.ok(named, `${JSON.stringify(over)} names ${field}: ${res.body}`);
    }
    assert.equal((await stack.tdb.db.selectFrom('inboxes').select('id').where('id', '=', 'rep-3').execute()).length, 1, 'only the good one');
  });

  test('the implicit inboxes are listed; they cannot be edited', async () => {
    const list = await api.app.inject({ method: 'GET', url: '/inboxes', headers: api.read });
    const items = list.json<{ items: Array<{ id: string; implicit: boolean; policy: { ramp: number[] } }> }>().items;
    const implicit = items.filter((i) => i.implicit).map((i) => i.id);
    assert.deepEqual(implicit, ['default', 'default-sms']);
    assert.deepEqual(items[0]?.policy.ramp, [], 'transactional: no ramp');
    const patch = await api.app.inject({ method: 'PATCH', url: '/inboxes/default', headers: api.admin, payload: { displayName: 'x' } });
    assert.equal(patch.statusCode, 409);
    const reader = await api.app.inject({ method: 'POST', url: '/inboxes', headers: api.read, payload: smtpInbox('rep-r') });
    assert.equal(reader.statusCode, 403, 'registering an inbox needs the admin scope');
  });

  // Found by the API fuzzer: the implicit inboxes came on top of a full page from the registry,
  // so ?limit=1 answered with three items.
  test('pages hold at most their limit and walk the implicit inboxes and the registry once each', async () => {
    const page = async (limit: number, offset: number) => {
      const res = await api.app.inject({ method: 'GET', url: `/inboxes?limit=${limit}&offset=${offset}`, headers: api.read });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ items: Array<{ id: string }> }>().items.map((i) => i.id);
    };
    const all = await page(500, 0);
    assert.ok(all.length >= 3 && all[0] === 'default', `the implicit inboxes and at least one registered: ${all.join(',')}`);
    for (const limit of [1, 2]) {
      const walked: string[] = [];
      for (let offset = 0; offset <= all.length; offset += limit) {
        const ids = await page(limit, offset);
        assert.ok(ids.length <= limit, `limit ${limit}, offset ${offset}: ${ids.length} items`);
        walked.push(...ids);
      }
      assert.deepEqual(walked, all, `pages of ${limit}`);
    }
  });

  test('PATCH merges and re-validates the policy, and re-verifies changed credentials', async () => {
    const ok = await api.app.inject({
      method: 'PATCH',
      url: '/inboxes/rep-1',
      headers: api.admin,
      payload: { policy: { dailyCap: 20, window: { timeZone: 'America/Chicago' } } },
    });
    assert.equal(ok.statusCode, 200, ok.body);
    const view = ok.json<{ policy: { dailyCap: number; window: { timeZone: string; startHour: number } }; workflow: { applied: boolean } }>();
    assert.equal(view.policy.dailyCap, 20);
    assert.deepEqual([view.policy.window.timeZone, view.policy.window.startHour], ['America/Chicago', 9], 'merged onto the stored window');
    assert.equal(view.workflow.applied, false, 'no inbox workflow runs yet: it starts from the stored policy');
    const bad = await api.app.inject({ method: 'PATCH', url: '/inboxes/rep-1', headers: api.admin, payload: { policy: { dailyCap: 0 } } });
    assert.equal(fieldOf(bad), 'policy.dailyCap');
    const wrong = await api.app.inject({ method: 'PATCH', url: '/inboxes/rep-1', headers: api.admin, payload: { smtp: { password: 'wrong' } } });
    assert.equal(wrong.statusCode, 422);
    assert.equal(fieldOf(wrong), 'smtp.password');
    const after = await api.app.inject({ method: 'GET', url: '/inboxes/rep-1', headers: api.read });
    assert.equal(after.json<{ policy: { dailyCap: number } }>().policy.dailyCap, 20, 'the refused change left the inbox as it was');
    const audit = await stack.tdb.db.selectFrom('audit_log').select(['method', 'route', 'target', 'status']).where('route', 'like', '/inboxes%').execute();
    assert.ok(audit.some((a) => a.method === 'PATCH' && a.target === 'rep-1' && a.status === 200));
    assert.ok(audit.some((a) => a.method === 'POST' && a.route === '/inboxes' && a.status === 422));
  });

  test('pause and resume reach the inbox workflow (started from the registry if need be)', async () => {
    const until = new Date(Date.now() + 3600_000).toISOString();
    const paused = await api.app.inject({ method: 'POST', url: '/inboxes/rep-1/pause', headers: api.admin, payload: { reason: 'bounce spike', until } });
    assert.equal(paused.statusCode, 202, paused.body);
    const handle = stack.env.client.workflow.getHandle(inboxWorkflowId('rep-1'));
    const history = await handle.fetchHistory();
    const signals = history.events
      ?.filter((e) => e.workflowExecutionSignaledEventAttributes)
      .map((e) => e.workflowExecutionSignaledEventAttributes?.signalName);
    assert.deepEqual(signals, ['pauseInbox']);
    const resumed = await api.app.inject({ method: 'POST', url: '/inboxes/default/resume', headers: api.admin, payload: {} });
    assert.equal(resumed.statusCode, 202, resumed.body);
    const past = await api.app.inject({
      method: 'POST',
      url: '/inboxes/rep-1/pause',
      headers: api.admin,
      payload: { reason: 'x', until: '2001-01-01T00:00:00Z' },
    });
    assert.equal(fieldOf(past), 'until');
    assert.equal((await api.app.inject({ method: 'POST', url: '/inboxes/nope/resume', headers: api.admin, payload: {} })).statusCode, 404);
    for (const id of ['rep-1', 'default'])
      await stack.env.client.workflow
        .getHandle(inboxWorkflowId(id))
        .terminate('test over')
        .catch(() => undefined);
  });

  // Found by the API fuzzer: with the inbox workflow running and no worker polling, the PATCH
  // waited on the update without end.
  test('a policy change reaches the running inbox workflow; with no worker to take it, the answer says so at once', { timeout: 60_000 }, async () => {
    const paused = await api.app.inject({ method: 'POST', url: '/inboxes/rep-1/pause', headers: api.admin, payload: { reason: 'policy test' } });
    assert.equal(paused.statusCode, 202, paused.body); // the inbox workflow now runs, on a queue no worker polls yet
    const patch = () => api.app.inject({ method: 'PATCH', url: '/inboxes/rep-1', headers: api.admin, payload: { policy: { dailyCap: 12 } } });
    type Patched = { policy: { dailyCap: number }; workflow: { applied: boolean; detail: string } };
    const unanswered = await patch();
    assert.equal(unanswered.statusCode, 200, unanswered.body);
    const stored = unanswered.json<Patched>();
    assert.deepEqual([stored.policy.dailyCap, stored.workflow.applied], [12, false]);
    assert.match(stored.workflow.detail, /did not answer within 3 s .*PATCH the same policy again/);

    const worker = await testLeadWorker(stack.env, stack.tdb.db, { taskQueue: LEAD_TASK_QUEUE });
    await worker.runUntil(async () => {
      const answered = await patch();
      assert.equal(answered.statusCode, 200, answered.body);
      assert.deepEqual(answered.json<Patched>().workflow, { applied: true, detail: 'the running inbox workflow applies the new policy' });
      assert.equal((await queryInboxStatus(stack.env.client, 'rep-1')).policy.dailyCap, 12);
    });
    await stack.env.client.workflow.getHandle(inboxWorkflowId('rep-1')).terminate('test over');
  });
});
