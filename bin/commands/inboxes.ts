// `leadflow inboxes add|list|show|pause|resume`: the inbox registry from the command line. `add`
// takes flags or a JSON file (`-` for stdin, the prompt-free way to pass inline secrets); secrets on
// flags are only ever environment variable NAMES, so none lands in shell history or `ps`. The same
// checks and logins as POST /inboxes run before anything is stored.
import os from 'node:os';
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import type { InboxStart } from '../../temporal/inbox-client.js';

// Loaded by the action that uses it, so `--help` imports neither kysely nor the provider SDKs.
const load = () =>
  Promise.all([
    import('../../db/index.js'),
    import('../lib/clients.js'),
    import('../lib/runtime.js'),
    import('../../wiring/inboxes.js'),
    import('../../api/inboxes/registry.js'),
  ]);

interface AddFlags {
  file?: string;
  id?: string;
  kind?: string;
  address?: string;
  displayName?: string;
  policy?: string;
  smtpHost?: string;
  smtpPort?: string;
  smtpSecure?: boolean;
  smtpUser?: string;
  smtpPasswordEnv?: string;
  imapHost?: string;
  imapPort?: string;
  imapSecure?: boolean;
  imapUser?: string;
  imapPasswordEnv?: string;
  imapMailbox?: string;
  sendgridApiKeyEnv?: string;
  sendgridBaseUrl?: string;
  twilioAccountSid?: string;
  twilioAuthTokenEnv?: string;
  twilioBaseUrl?: string;
  twilioMessagingServiceSid?: string;
}

const port = (v: string | undefined, flag: string) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${flag} must be a port number`);
  return n;
};
const defined = <T extends object>(o: T): Partial<T> | undefined => {
  const kept = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  return Object.keys(kept).length === 0 ? undefined : kept;
};

function fromFlags(o: AddFlags): Record<string, unknown> {
  let policy: unknown;
  if (o.policy !== undefined) {
    try {
      policy = JSON.parse(o.policy);
    } catch {
      throw new Error('--policy must be JSON, e.g. \'{"dailyCap": 30}\'');
    }
  }
  const server = (p: 'smtp' | 'imap') =>
    defined({
      host: o[`${p}Host`],
      port: port(o[`${p}Port`], `--${p}-port`),
      secure: o[`${p}Secure`],
      user: o[`${p}User`],
      passwordEnv: o[`${p}PasswordEnv`],
      ...(p === 'imap' && { mailbox: o.imapMailbox }),
    });
  return Object.fromEntries(
    Object.entries({
      id: o.id,
      kind: o.kind,
      address: o.address,
      displayName: o.displayName,
      policy,
      smtp: server('smtp'),
      imap: server('imap'),
      sendgrid: defined({ apiKeyEnv: o.sendgridApiKeyEnv, baseUrl: o.sendgridBaseUrl }),
      twilio: defined({
        accountSid: o.twilioAccountSid,
        authTokenEnv: o.twilioAuthTokenEnv,
        baseUrl: o.twilioBaseUrl,
        messagingServiceSid: o.twilioMessagingServiceSid,
      }),
    }).filter(([, v]) => v !== undefined),
  );
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  const { readInput } = await import('../lib/read-input.js');
  const raw = (await readInput(file, 1024 * 1024)).toString('utf8');
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${file === '-' ? 'stdin' : file}: not a JSON object (${(err as Error).message})`);
  }
}

const operator = () => `cli:${os.userInfo().username}`;

export function registerInboxes(program: Command): void {
  const cmd = program.command('inboxes').description('sending identities: SMTP/IMAP mailboxes, SendGrid senders, SMS numbers');
  cmd
    .command('add')
    .description('register an inbox after logging in with its credentials (flags, or --file inbox.json / - for stdin)')
    .option('--file <path>', 'the inbox as JSON (the POST /inboxes body); flags given as well override it')
    .option('--id <slug>')
    .option('--kind <kind>', 'smtp | sendgrid | sms')
    .option('--address <address>', 'the From e-mail, or the E.164 number / Messaging Service SID')
    .option('--display-name <name>')
    .option('--policy <json>', 'policy fields, e.g. \'{"dailyCap": 30, "window": {"timeZone": "America/Chicago"}}\'')
    .option('--smtp-host <host>')
    .option('--smtp-port <port>')
    .option('--smtp-secure', 'implicit TLS (port 465)')
    .option('--smtp-user <user>')
    .option('--smtp-password-env <VAR>', 'the environment variable that holds the SMTP password')
    .option('--imap-host <host>', 'watch this mailbox for replies (same login as SMTP unless --imap-user)')
    .option('--imap-port <port>')
    .option('--imap-secure', 'implicit TLS (port 993)')
    .option('--imap-user <user>')
    .option('--imap-password-env <VAR>')
    .option('--imap-mailbox <name>', 'default INBOX')
    .option('--sendgrid-api-key-env <VAR>')
    .option('--sendgrid-base-url <url>')
    .option('--twilio-account-sid <sid>')
    .option('--twilio-auth-token-env <VAR>')
    .option('--twilio-base-url <url>')
    .option('--twilio-messaging-service-sid <sid>')
    .action(async (o: AddFlags) => {
      const body = { ...(o.file !== undefined ? await readJson(o.file) : {}), ...fromFlags(o) };
      const [{ withDb }, { setup }, { inboxSecretBox }, { createInbox, inboxView, InboxInputError }, { verifyInboxConnection }] = await Promise.all([
        import('../lib/clients.js'),
        import('../lib/runtime.js'),
        import('../../wiring/inboxes.js'),
        import('../../api/inboxes/registry.js'),
        import('../../activities/inboxes/verify.js'),
      ]);
      const box = await inboxSecretBox(setup('inboxes').config);
      const view = await withDb('inboxes', async (db) => {
        try {
          return inboxView(box, await createInbox({ db, box, verify: verifyInboxConnection, env: process.env }, body as never));
        } catch (err) {
          if (err instanceof InboxInputError) throw new Error(`${err.field !== null ? `${err.field}: ` : ''}${err.message}`);
          throw err;
        }
      });
      console.log(JSON.stringify(view, null, 2));
    });

  cmd
    .command('list')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const [{ listInboxes }, { withDb }, { setup }, { implicitInboxes, inboxSecretBox }, { inboxView }] = await load();
      const { config } = setup('inboxes');
      const box = await inboxSecretBox(config);
      const rows = await withDb('inboxes', (db) => listInboxes(db, { limit: 500, offset: 0 }));
      const views = [...implicitInboxes(config).map((i) => ({ ...i, implicit: true, status: 'active' })), ...rows.map((r) => inboxView(box, r))];
      if (o.json) return void console.log(JSON.stringify(views, null, 2));
      for (const v of views) console.log(`${v.id.padEnd(24)} ${v.kind.padEnd(8)} ${v.status.padEnd(7)} ${v.implicit ? 'implicit' : '        '} ${v.address}`);
    });

  cmd.command('show <id>').action(async (id: string) => {
    const [{ getInbox }, { withDb }, { setup }, { implicitInboxes, inboxSecretBox }, { inboxView }] = await load();
    const { config } = setup('inboxes');
    const implicit = implicitInboxes(config).find((i) => i.id === id);
    if (implicit !== undefined) return void console.log(JSON.stringify({ ...implicit, implicit: true }, null, 2));
    const box = await inboxSecretBox(config);
    const row = await withDb('inboxes', (db) => getInbox(db, id));
    if (row === undefined) throw new Error(`no inbox ${id}`);
    console.log(JSON.stringify(inboxView(box, row), null, 2));
  });

  cmd
    .command('pause <id>')
    .requiredOption('--reason <text>')
    .option('--until <iso-date>', 'resume by itself then (default: until resumed)')
    .action(async (id: string, o: { reason: string; until?: string }) => {
      const until = o.until === undefined ? null : Date.parse(o.until);
      if (until !== null && (Number.isNaN(until) || until <= Date.now())) throw new Error('--until must be a date in the future (ISO 8601)');
      await signal(id, (client, start) =>
        import('../../temporal/inbox-client.js').then((c) => c.pauseInbox(client, start, { by: operator(), reason: o.reason, until })),
      );
      console.log(`inbox ${id} paused${until !== null ? ` until ${new Date(until).toISOString()}` : ''}`);
    });
  cmd.command('resume <id>').action(async (id: string) => {
    await signal(id, (client, start) => import('../../temporal/inbox-client.js').then((c) => c.resumeInbox(client, start, operator())));
    console.log(`inbox ${id} resumed`);
  });
}

/** Signals the inbox's workflow (started from the registry row if it does not run yet). */
async function signal(id: string, send: (client: Client, start: InboxStart) => Promise<void>): Promise<void> {
  const [{ getInbox }, { withIngest }, , { implicitInboxes }] = await load();
  const { loadConfig } = await import('../../config/index.js');
  const { TRANSACTIONAL_POLICY } = await import('../../workflows/inbox/contract.js');
  const isImplicit = implicitInboxes(loadConfig()).some((i) => i.id === id);
  await withIngest('inboxes', async ({ db, client }) => {
    let start: InboxStart;
    if (isImplicit) start = { inboxId: id, policy: TRANSACTIONAL_POLICY, createdAt: 0 };
    else {
      const row = await getInbox(db, id);
      if (row === undefined) throw new Error(`no inbox ${id}`);
      start = { inboxId: id, policy: row.policy as never, createdAt: row.created_at.getTime() };
    }
    await send(client, start);
  });
}
