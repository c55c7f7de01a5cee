// Table shapes of the campaign tables (migration 0014). Kept beside schema.ts, which composes them
// into Database, so neither file outgrows one screen of types.
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { CreatedAt, JsonbColumn, JsonbInput, JsonObject, UpdatedAt } from './schema.js';

export type CampaignStatus = 'draft' | 'running' | 'paused' | 'cancelling' | 'cancelled' | 'finished';

export interface CampaignsTable {
  id: string;
  name: string;
  /** The whole CampaignSpec (domain/campaigns/spec.ts) as validated. */
  spec: JsonbColumn;
  version: ColumnType<number, number | undefined, number>;
  status: ColumnType<CampaignStatus, CampaignStatus | undefined, CampaignStatus>;
  status_reason: ColumnType<string | null, string | null | undefined, string | null>;
  status_by: ColumnType<string | null, string | null | undefined, string | null>;
  status_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The campaign workflow's latest running totals. */
  totals: ColumnType<JsonObject | null, JsonbInput | null | undefined, JsonbInput | null>;
  created_by: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  started_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  finished_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface CampaignImportsTable {
  id: string;
  campaign_id: string;
  idempotency_key: string | null;
  content_sha256: string;
  rows: number;
  accepted: number;
  /** [{ row, field, reason }] */
  invalid: ColumnType<JsonObject[], JsonbInput, JsonbInput>;
  created_by: string | null;
  created_at: CreatedAt;
}

export type ProspectStatus = 'pending' | 'started' | 'skipped';

export interface CampaignProspectsTable {
  seq: Generated<string>;
  campaign_id: string;
  import_id: string;
  row_number: number;
  email: string | null;
  email_norm: string | null;
  phone: string | null;
  first_name: string | null;
  last_name: string | null;
  company: string | null;
  /** The recipient's IANA zone from the list (`timezone`/`tz` column); null: the inbox's zone applies. */
  time_zone: ColumnType<string | null, string | null | undefined, string | null>;
  fields: ColumnType<Record<string, string>, JsonbInput | undefined, JsonbInput>;
  status: ColumnType<ProspectStatus, ProspectStatus | undefined, ProspectStatus>;
  lead_id: ColumnType<string | null, string | null | undefined, string | null>;
  skip_reason: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
  started_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export type CampaignRow = Selectable<CampaignsTable>;
export type CampaignImportRow = Selectable<CampaignImportsTable>;
export type CampaignProspectRow = Selectable<CampaignProspectsTable>;
