// Leads sending through registry inboxes, end to end: the dev server, a migrated PostgreSQL
// database of the file's own, the SendGrid stand-in behind SendGrid inboxes whose API key is sealed
// in the registry (a fresh, distinctive key per stack: a test can look for it anywhere), and the
// real lead worker on its own queue. An inbox's entity is keyed by that queue (inboxEntityKey), so
// its workflow id and saved figures are looked up the same way here.
import { randomBytes } from 'node:crypto';
import { insertInbox } from '../../db/index.js';
import { createSecretBox } from '../../domain/crypto/secret-box.js';
import { sealInboxSecrets } from '../../domain/inboxes/sealed.js';
import type { InboxStart } from '../../temporal/inbox-client.js';
import { queryLeadState, submitLead } from '../../temporal/lead-client.js';
import { inboxEntityKey, inboxStatusQuery, inboxWorkflowId, TRANSACTIONAL_POLICY, type InboxPolicy, type InboxStatus } from '../../workflows/inbox/contract.js';
import type { LeadState } from '../../workflows/lead/contract.js';
import { testIdentity } from './codec.js';
import { eventually } from './eventually.js';
import { makeLeadInput } from './leads.js';
import { startDevStack, type DevStack } from './stack.js';
import { startSendGrid } from './standins/sendgrid.js';
import { uniqueName } from './temporal.js';

export interface InboxLeadStack extends DevStack {
  taskQueue: string;
  /** The SendGrid key sealed into every inbox of this stack. */
  apiKey: string;
  sendgrid: Awaited<ReturnType<typeof startSendGrid>>;
  /** A verified SendGrid inbox with this policy (merged onto the transactional one); its id. */
  addInbox(policy?: Partial<InboxPolicy>): Promise<string>;
  /** Starts a lead whose one e-mail step goes out through `inboxId` at once; its id. */
  submit(inboxId: string): Promise<string>;
  /** What the API or CLI would hand the inbox client for this inbox on this stack's queue. */
  inboxStart(inboxId: string): InboxStart;
  inboxWorkflowId(inboxId: string): string;
  inboxStatus(inboxId: string): Promise<InboxStatus>;
  /** Polls the lead's state until `ok` holds. */
  leadUntil(leadId: string, what: string, ok: (s: LeadState) => boolean, timeoutMs?: number): Promise<LeadState>;
}

export async function startInboxLeadStack(): Promise<InboxLeadStack> {
  const apiKey = `SG.${randomBytes(16).toString('hex')}`;
  const box = createSecretBox([randomBytes(32)]);
  const taskQueue = uniqueName('inbox-leads');
  const [stack, sendgrid] = await Promise.all([startDevStack({ leadWorker: { taskQueue, services: { inboxRegistry: { box } } } }), startSendGrid({ apiKey })]);
  const policies = new Map<string, InboxPolicy>();
  const created = new Map<string, number>();
  const wfId = (inboxId: string) => inboxWorkflowId(inboxEntityKey(inboxId, taskQueue));

  return {
    ...stack,
    taskQueue,
    apiKey,
    sendgrid,
    async addInbox(policy = {}) {
      const id = uniqueName('sg');
      const full: InboxPolicy = { ...TRANSACTIONAL_POLICY, ...policy };
      const row = await insertInbox(stack.tdb.db, {
        id,
        kind: 'sendgrid',
        channel: 'email',
        address: `sales@${id}.example`,
        displayName: 'Sales',
        policy: full,
        settings: { sendgrid: { baseUrl: sendgrid.url } },
        secretsEnc: sealInboxSecrets(box, id, { sendgridApiKey: apiKey }),
        verifiedAt: new Date(),
      });
      if (row === undefined) throw new Error(`inbox ${id} was not stored`);
      policies.set(id, full);
      created.set(id, row.created_at.getTime());
      return id;
    },
    async submit(inboxId) {
      const input = makeLeadInput({
        inboxes: [inboxId],
        sequence: [{ delay: 0, channel: 'email', ai: false, template: { subject: 'Hi', body: 'Hello {firstName}' } }],
      });
      return (await submitLead(stack.env.client, input, { identity: testIdentity, taskQueue })).leadId;
    },
    inboxStart: (inboxId) => ({ inboxId, policy: policies.get(inboxId) ?? TRANSACTIONAL_POLICY, createdAt: created.get(inboxId) ?? 0, taskQueue }),
    inboxWorkflowId: wfId,
    inboxStatus: (inboxId) => stack.env.client.workflow.getHandle(wfId(inboxId)).query(inboxStatusQuery),
    leadUntil: (leadId, what, ok, timeoutMs = 30_000) =>
      eventually(
        what,
        async () => {
          const s = await queryLeadState(stack.env.client, leadId);
          return ok(s) ? s : undefined;
        },
        timeoutMs,
      ),
    stop: async () => {
      await stack.stop();
      await sendgrid.close();
    },
  };
}
