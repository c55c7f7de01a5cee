// Registering and changing inboxes, outside any framework so the API and the CLI share it:
// check the input (naming the field), log in with the credentials, seal the secrets, store.
// Nothing is stored unless every check and the login passed.
import type { Kysely } from 'kysely';
import { getInbox, insertInbox, updateInbox, type Database, type InboxRow } from '../../db/index.js';
import type { SecretBox } from '../../domain/crypto/secret-box.js';
import {
  MissingSecretError,
  publicSettings,
  resolveConnection,
  splitConnection,
  type ConnectionInput,
  type InboxSettings,
  type InboxVerifier,
} from '../../domain/inboxes/connection.js';
import { openInboxSecrets, sealInboxSecrets } from '../../domain/inboxes/sealed.js';
import { checkAddress, INBOX_ID, isImplicitInbox, type InboxKindName } from '../../domain/inboxes/types.js';
import { DEFAULT_POLICY, inboxChannel, type InboxPolicy } from '../../workflows/inbox/contract.js';
import { checkPolicy } from '../../workflows/inbox/policy/validate.js';

export interface RegistryDeps {
  db: Kysely<Database>;
  box: SecretBox;
  verify: InboxVerifier;
  /** Where secrets given as variable names are read (the API's own environment). */
  env: Readonly<Record<string, string | undefined>>;
  now?: () => number;
}

/** A refusal that names the field: 400 bad input, 404 unknown, 409 conflict, 422 the login failed. */
export class InboxInputError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 422,
    readonly field: string | null,
    message: string,
  ) {
    super(message);
  }
}

export interface CreateInboxInput extends ConnectionInput {
  id: string;
  kind: InboxKindName;
  address: string;
  displayName?: string | undefined;
  policy?: Record<string, unknown> | undefined;
}

export type PatchInboxInput = ConnectionInput & { displayName?: string | null; address?: string; policy?: Record<string, unknown> };

const bad = (field: string, message: string) => new InboxInputError(400, field, message);

function policyOf(input: unknown, base: InboxPolicy, now: number): InboxPolicy {
  const checked = checkPolicy(input, base, now);
  if (!checked.ok) throw bad(checked.field === 'policy' ? 'policy' : `policy.${checked.field}`, checked.message);
  return checked.policy;
}

async function verified(deps: RegistryDeps, kind: InboxKindName, settings: InboxSettings, secrets: object): Promise<void> {
  let resolved;
  try {
    resolved = resolveConnection(settings, secrets, deps.env);
  } catch (err) {
    if (err instanceof MissingSecretError) throw bad(err.field, err.message);
    throw err;
  }
  const failed = await deps.verify(kind, resolved);
  if (failed !== null) throw new InboxInputError(422, failed.field, failed.message);
}

const connectionOf = (i: ConnectionInput): ConnectionInput => ({
  ...(i.smtp !== undefined && { smtp: i.smtp }),
  ...(i.imap !== undefined && { imap: i.imap }),
  ...(i.sendgrid !== undefined && { sendgrid: i.sendgrid }),
  ...(i.twilio !== undefined && { twilio: i.twilio }),
});

export async function createInbox(deps: RegistryDeps, input: CreateInboxInput): Promise<InboxRow> {
  const now = deps.now?.() ?? Date.now();
  if (!INBOX_ID.test(input.id)) throw bad('id', 'id must be a slug: lower-case letters, digits and -, starting with a letter or digit, at most 63');
  if (isImplicitInbox(input.id)) throw new InboxInputError(409, 'id', `${input.id} is the implicit inbox of the environment's sender settings`);
  const addressProblem = checkAddress(input.kind, input.address);
  if (addressProblem !== null) throw bad('address', addressProblem);
  const policy = policyOf(input.policy ?? {}, DEFAULT_POLICY, now);
  const split = splitConnection(input.kind, connectionOf(input));
  if (!split.ok) throw bad(split.field, split.message);
  // Before the (slow) login: a taken id is answered at once.
  if ((await getInbox(deps.db, input.id)) !== undefined) throw new InboxInputError(409, 'id', `an inbox ${input.id} exists already`);
  await verified(deps, input.kind, split.settings, split.secrets);
  const row = await insertInbox(deps.db, {
    id: input.id,
    kind: input.kind,
    channel: inboxChannel(input.kind),
    address: input.address,
    displayName: input.displayName ?? null,
    policy,
    settings: split.settings,
    secretsEnc: sealInboxSecrets(deps.box, input.id, split.secrets),
    verifiedAt: new Date(now),
  });
  if (row === undefined) throw new InboxInputError(409, 'id', `an inbox ${input.id} exists already`);
  return row;
}

export interface PatchOutcome {
  row: InboxRow;
  /** The new policy when it changed (to hand to a running inbox workflow). */
  policyChanged: InboxPolicy | null;
}

export async function patchInbox(deps: RegistryDeps, id: string, input: PatchInboxInput): Promise<PatchOutcome> {
  const now = deps.now?.() ?? Date.now();
  if (isImplicitInbox(id)) throw new InboxInputError(409, null, `${id} is configured by environment variables: only pause and resume apply to it`);
  const row = await getInbox(deps.db, id);
  if (row === undefined) throw new InboxInputError(404, null, `no inbox ${id}`);
  const kind = row.kind as InboxKindName;
  if (input.address !== undefined) {
    const problem = checkAddress(kind, input.address);
    if (problem !== null) throw bad('address', problem);
  }
  const policy = input.policy === undefined ? null : policyOf(input.policy, row.policy as unknown as InboxPolicy, now);
  const connection = connectionOf(input);
  const reconnect = Object.keys(connection).length > 0 || input.address !== undefined;
  let sealed: { settings: InboxSettings; secretsEnc: string | null } | null = null;
  if (reconnect) {
    const old = { settings: row.settings as InboxSettings, secrets: openInboxSecrets(deps.box, id, row.secrets_enc) };
    const split = splitConnection(kind, connection, old);
    if (!split.ok) throw bad(split.field, split.message);
    await verified(deps, kind, split.settings, split.secrets);
    sealed = { settings: split.settings, secretsEnc: sealInboxSecrets(deps.box, id, split.secrets) };
  }
  const updated = await updateInbox(
    deps.db,
    id,
    {
      ...(input.displayName !== undefined && { displayName: input.displayName }),
      ...(input.address !== undefined && { address: input.address }),
      ...(policy !== null && { policy }),
      ...(sealed !== null && { settings: sealed.settings, secretsEnc: sealed.secretsEnc, verifiedAt: new Date(now) }),
    },
    row.updated_at,
  );
  if (updated === undefined) throw new InboxInputError(409, null, `inbox ${id} was changed by someone else meanwhile: read it again and retry`);
  return { row: updated, policyChanged: policy };
}

/** The API's and the CLI's view of a stored inbox: settings without a single secret. */
export function inboxView(box: SecretBox, row: InboxRow) {
  let secrets = {};
  try {
    secrets = openInboxSecrets(box, row.id, row.secrets_enc);
  } catch {
    // A key that no longer opens it still lets the inbox be listed (hasPassword reads false).
  }
  return {
    id: row.id,
    kind: row.kind,
    channel: row.channel,
    address: row.address,
    displayName: row.display_name,
    status: row.status,
    implicit: false,
    provider: row.kind === 'sms' ? 'twilio' : row.kind,
    policy: row.policy,
    settings: publicSettings(row.settings, secrets),
    verifiedAt: row.verified_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
