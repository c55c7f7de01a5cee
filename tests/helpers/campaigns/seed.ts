// A campaign put straight into the database, as the API would leave it after POST /campaigns, an
// import and start: for tests and recordings that drive campaignWorkflow without the API. The
// prospects are fixed test people (Test Prospect N, @example.com): committed histories carry
// their (encrypted) lead inputs, and nothing in them may look like a real person.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { insertCampaign, storeImport, transitionCampaign, type Database, type NewProspect } from '../../../db/index.js';
import type { CampaignSpec } from '../../../domain/campaigns/spec.js';

/** Prospects `from`..`from + n - 1` of a campaign, at `<tag>-<i>@example.com`. */
export function testProspects(tag: string, n: number, from = 1): NewProspect[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const email = `${tag}-${i}@example.com`;
    return {
      row: i + 1,
      email,
      emailNorm: email,
      phone: null,
      firstName: 'Test',
      lastName: `Prospect ${i}`,
      company: 'Example Fleet Co',
      fields: { plan: `plan-${i % 3}` },
    };
  });
}

/** Imports prospects as one import (its content hash is of the e-mails, so each batch is its own import). */
export async function importProspects(db: Kysely<Database>, campaignId: string, prospects: NewProspect[]): Promise<string> {
  const sha256 = createHash('sha256')
    .update(prospects.map((p) => p.email).join('\n'))
    .digest('hex');
  const { row } = await storeImport(db, { campaignId, key: null, sha256, rows: prospects.length, createdBy: 'test' }, prospects, []);
  return row.id;
}

/** Inserts the campaign, imports its prospects and moves it to running (status `running` is what the fan-out obeys). */
export async function seedRunningCampaign(db: Kysely<Database>, id: string, spec: CampaignSpec, prospects: NewProspect[]): Promise<void> {
  await insertCampaign(db, { id, name: spec.name, spec, createdBy: 'test' });
  if (prospects.length > 0) await importProspects(db, id, prospects);
  await transitionCampaign(db, id, 'start', { by: 'test', reason: null });
}
