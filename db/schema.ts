// The one source of truth for table shapes in TypeScript. It must match what the
// migrations produce; migrations themselves never import this file (they are frozen
// against Kysely<any> so later edits here cannot change what an old migration does).
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { CampaignImportsTable, CampaignProspectsTable, CampaignsTable } from './schema-campaigns.js';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

// jsonb columns read back as plain JSON. On write they take any object (callers hand in
// their own interfaces, which TypeScript won't treat as index-signature types) or a
// string of JSON text already serialised (the kysely-example convention); the
// repositories turn either into the same jsonb value on both drivers.
export type JsonbInput = object | string;
export type JsonbColumn = ColumnType<JsonObject, JsonbInput, JsonbInput>;
export type JsonbColumnWithDefault = ColumnType<JsonObject, JsonbInput | undefined, JsonbInput>;

// Both drivers are configured to return timestamptz as Date (see connection.ts).
export type CreatedAt = ColumnType<Date, Date | undefined, never>;
export type UpdatedAt = ColumnType<Date, Date | undefined, Date>;

export interface LeadsTable {
  /** The lead workflow ID, so a row and its workflow are found by the same key. */
  id: string;
  source: string;
  external_id: string | null;
  campaign_id: string | null;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone: string | null;
  status: ColumnType<string, string | undefined, string>;
  tier: string | null;
  /** The parsed lead as the workflow received it. */
  payload: JsonbColumn;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface LeadEventsTable {
  /** bigserial: int8 is returned as a string by both drivers to avoid precision loss. */
  id: Generated<string>;
  lead_id: string;
  /** Caller-chosen idempotency key, unique per lead, so activity retries record once. */
  event_key: string;
  type: string;
  detail: JsonbColumnWithDefault;
  occurred_at: ColumnType<Date, Date | undefined, Date>;
}

export interface QuarantineTable {
  id: string;
  /** imap | http | cli */
  source: string;
  /** Mailbox id, file name or request id: where an operator finds the original. */
  source_ref: string | null;
  mailbox: string | null;
  uid_validity: string | null;
  /** int8: a string on read, like every bigint here. */
  uid: ColumnType<string | null, number | string | null | undefined, never>;
  content_type: string | null;
  raw: ColumnType<Buffer, Buffer, never>;
  reason: string;
  error_code: string | null;
  /** open → resolved (re-ingested) | still open after a failed retry. */
  status: ColumnType<string, string | undefined, string>;
  retries: ColumnType<number, number | undefined, number>;
  lead_ids: JsonbColumnWithDefault;
  received_at: ColumnType<Date, Date | undefined, never>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface MailboxCheckpointsTable {
  mailbox_id: string;
  uid_validity: string;
  last_uid: ColumnType<string, number | string, number | string>;
  updated_at: UpdatedAt;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  /** sha256 of the secret: keys are random 256-bit values, so a fast hash is enough. */
  secret_hash: string;
  scopes: ColumnType<string[], string, string>;
  created_at: CreatedAt;
  revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  last_used_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: ColumnType<Date, Date | undefined, never>;
  api_key_id: string | null;
  api_key_name: string | null;
  method: string;
  route: string;
  target: string | null;
  status: number;
  request_id: string;
  /** Free-form facts of the event (an emergency stop's reason, start and end). */
  detail: ColumnType<JsonObject | null, JsonbInput | null | undefined, never>;
}

export interface ProviderEventsTable {
  provider: string;
  event_id: string;
  lead_id: string | null;
  type: string;
  payload: JsonbColumn;
  received_at: ColumnType<Date, Date | undefined, never>;
}

export interface OutboxTable {
  idempotency_key: string;
  lead_id: string;
  step: number;
  channel: string;
  provider: string;
  recipient: string;
  subject: string | null;
  body: string;
  status: ColumnType<string, string | undefined, string>;
  in_flight: ColumnType<boolean, boolean | undefined, boolean>;
  attempts: ColumnType<number, number | undefined, number>;
  provider_message_id: string | null;
  error_code: string | null;
  error: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  sent_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** E-mail only: the Message-ID the message carries (replies and bounces point back to it). */
  message_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** E-mail only: the one-click unsubscribe token in its List-Unsubscribe link. */
  unsubscribe_token: ColumnType<string | null, string | null | undefined, string | null>;
  /** The registry inbox that sent it; null for the implicit (environment-configured) senders before inboxes existed. */
  inbox_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The campaign and A/B variant the message belongs to (migration 0014); null outside campaigns. */
  campaign_id: ColumnType<string | null, string | null | undefined, string | null>;
  variant: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface SuppressionsTable {
  /** Surrogate key: releases name it (an address in a URL would reach access logs). */
  id: Generated<string>;
  /** Lower-cased e-mail address or E.164 phone number. */
  address: string;
  channel: string;
  reason: string;
  lead_id: string | null;
  event_id: string | null;
  created_at: CreatedAt;
}

/** An address an operator released from the suppression list, and why. */
export interface SuppressionReleasesTable {
  id: string;
  address: string;
  channel: string;
  suppressed_reason: string;
  suppressed_at: Date;
  reason: string;
  released_by: string;
  released_at: CreatedAt;
}

/** A sending identity (see db/repositories/inboxes.ts). */
export interface InboxesTable {
  /** A slug: [a-z0-9][a-z0-9-]{0,62}. */
  id: string;
  /** smtp | sendgrid | sms */
  kind: string;
  /** email | sms */
  channel: string;
  address: string;
  display_name: string | null;
  policy: JsonbColumn;
  /** Non-secret connection settings, and the names of environment variables that hold secrets. */
  settings: JsonbColumn;
  /** The secrets, sealed with the inbox credentials key (domain/crypto/secret-box.ts). */
  secrets_enc: string | null;
  status: ColumnType<string, string | undefined, string>;
  verified_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface SalespeopleTable {
  id: string;
  name: string;
  email: string;
  manager_email: string | null;
  team: string | null;
  away: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
}

export interface RoutingCursorsTable {
  scope: string;
  /** int8: a string on read. */
  counter: ColumnType<string, number | string | undefined, number | string>;
}

export interface HandoversTable {
  id: string;
  lead_id: string;
  salesperson_id: string | null;
  status: string;
  escalations: ColumnType<number, number | undefined, number>;
  acknowledged_by: string | null;
  acknowledged_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  /** The acknowledgement link's token and when it stops working. */
  ack_token: ColumnType<string | null, string | null | undefined, string | null>;
  ack_expires_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** The global emergency stop and the throttled ramp after a resume: one row, id = 1. */
export interface SendingControlTable {
  id: ColumnType<number, number | undefined, never>;
  stopped: ColumnType<boolean, boolean | undefined, boolean>;
  reason: string | null;
  stopped_by: string | null;
  stopped_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  resumed_by: string | null;
  resumed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  ramp: ColumnType<JsonObject | null, JsonbInput | null | undefined, JsonbInput | null>;
  ramp_started_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  ramp_cursor: ColumnType<Date | null, Date | null | undefined, Date | null>;
  updated_at: UpdatedAt;
}

/** The inbox workflow's latest figures (see migration 0012); `status` is the whole InboxStatus JSON. */
export interface InboxStateTable {
  inbox_id: string;
  health: number;
  daily_limit: number;
  today: string;
  day_started_at: Date;
  granted_today: number;
  sent_today: number;
  paused_until: Date | null;
  paused: boolean;
  status: JsonbColumn;
  updated_at: UpdatedAt;
}

export interface Database {
  campaigns: CampaignsTable;
  campaign_imports: CampaignImportsTable;
  campaign_prospects: CampaignProspectsTable;
  sending_control: SendingControlTable;
  salespeople: SalespeopleTable;
  routing_cursors: RoutingCursorsTable;
  handovers: HandoversTable;
  suppressions: SuppressionsTable;
  suppression_releases: SuppressionReleasesTable;
  inboxes: InboxesTable;
  inbox_state: InboxStateTable;
  outbox: OutboxTable;
  provider_events: ProviderEventsTable;
  audit_log: AuditLogTable;
  leads: LeadsTable;
  lead_events: LeadEventsTable;
  quarantine: QuarantineTable;
  mailbox_checkpoints: MailboxCheckpointsTable;
  api_keys: ApiKeysTable;
}

export type QuarantineRow = Selectable<QuarantineTable>;
export type NewQuarantineRow = Insertable<QuarantineTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type SuppressionRow = Selectable<SuppressionsTable>;
export type SuppressionReleaseRow = Selectable<SuppressionReleasesTable>;
export type InboxRow = Selectable<InboxesTable>;
export type InboxStateRow = Selectable<InboxStateTable>;
export type SalespersonRow = Selectable<SalespeopleTable>;
export type HandoverRow = Selectable<HandoversTable>;
export type SendingControlRow = Selectable<SendingControlTable>;

export type LeadRow = Selectable<LeadsTable>;
export type NewLeadRow = Insertable<LeadsTable>;
export type LeadUpdate = Updateable<LeadsTable>;

export type LeadEventRow = Selectable<LeadEventsTable>;
export type NewLeadEventRow = Insertable<LeadEventsTable>;
