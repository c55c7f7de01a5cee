// A stored prospect row, for the unit tests that turn one into a lead's input.
import type { CampaignProspectRow } from '../../../db/index.js';

export const prospectRow = (over: Partial<CampaignProspectRow> = {}): CampaignProspectRow => ({
  seq: '1',
  campaign_id: 'camp-1',
  import_id: 'imp-1',
  row_number: 2,
  email: 'ann@example.com',
  email_norm: 'ann@example.com',
  phone: null,
  first_name: 'Ann',
  last_name: null,
  company: null,
  time_zone: null,
  fields: {},
  status: 'pending',
  lead_id: null,
  skip_reason: null,
  created_at: new Date(),
  started_at: null,
  ...over,
});
