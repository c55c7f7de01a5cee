// Static imports instead of FileMigrationProvider: the list survives bundling and
// single-file builds, and a missing migration is a compile error rather than a
// silently shorter directory listing. Keys are the migration names Kysely records;
// they sort chronologically because the file names are dated.
import type { Migration } from 'kysely';
import * as leads20261123 from './2026_11_23_0001_leads.js';
import * as ingest20261123 from './2026_11_23_0002_ingest.js';
import * as audit20261123 from './2026_11_23_0003_audit.js';
import * as providerEvents20261123 from './2026_11_23_0004_provider_events.js';
import * as outbox20261123 from './2026_11_23_0005_outbox.js';
import * as suppressions20261123 from './2026_11_23_0006_suppressions.js';
import * as outboxMessageId20261123 from './2026_11_23_0007_outbox_message_id.js';
import * as handover20261123 from './2026_11_23_0008_handover.js';
import * as linkTokens20261202 from './2026_12_02_0009_link_tokens.js';
import * as inboxes20261202 from './2026_12_02_0010_inboxes.js';
import * as sendingControl20261202 from './2026_12_02_0011_sending_control.js';
import * as inboxState20261202 from './2026_12_02_0012_inbox_state.js';
import * as leadEventsTypeIdx20261202 from './2026_12_02_0013_lead_events_type_idx.js';
import * as campaigns20261202 from './2026_12_02_0014_campaigns.js';
import * as prospectTimeZone20261202 from './2026_12_02_0015_prospect_time_zone.js';

export const migrations: Record<string, Migration> = {
  '2026_11_23_0001_leads': leads20261123,
  '2026_11_23_0002_ingest': ingest20261123,
  '2026_11_23_0003_audit': audit20261123,
  '2026_11_23_0004_provider_events': providerEvents20261123,
  '2026_11_23_0005_outbox': outbox20261123,
  '2026_11_23_0006_suppressions': suppressions20261123,
  '2026_11_23_0007_outbox_message_id': outboxMessageId20261123,
  '2026_11_23_0008_handover': handover20261123,
  '2026_12_02_0009_link_tokens': linkTokens20261202,
  '2026_12_02_0010_inboxes': inboxes20261202,
  '2026_12_02_0011_sending_control': sendingControl20261202,
  '2026_12_02_0012_inbox_state': inboxState20261202,
  '2026_12_02_0013_lead_events_type_idx': leadEventsTypeIdx20261202,
  '2026_12_02_0014_campaigns': campaigns20261202,
  '2026_12_02_0015_prospect_time_zone': prospectTimeZone20261202,
};
