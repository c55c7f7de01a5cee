// Start, pause, resume, cancel: the database transition first (the gate every lead of the
// campaign obeys; a pause or cancel takes the send gate's lock, so its commit is the
// acknowledgement), then the campaign workflow is started or told. Every step is safe to repeat:
// a start whose workflow never got going (the API died in between) starts it on the next call.
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { finishCampaign, getCampaign, transitionCampaign, type CampaignAction, type CampaignRow, type Database } from '../../db/index.js';
import {
  signalCampaignCancel,
  signalCampaignPause,
  signalCampaignResume,
  startCampaignWorkflow,
  type CampaignWorkflowOptions,
} from '../../temporal/campaign-client.js';

export type SteerResult = { kind: 'missing' } | { kind: 'refused'; reason: string } | { kind: 'done'; row: CampaignRow; changed: boolean };

async function prospectCount(db: Kysely<Database>, campaignId: string): Promise<number> {
  const r = await db
    .selectFrom('campaign_prospects')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('campaign_id', '=', campaignId)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function steerCampaign(
  db: Kysely<Database>,
  temporal: Client,
  id: string,
  action: CampaignAction,
  o: { by: string; reason: string | null; workflow: CampaignWorkflowOptions },
): Promise<SteerResult> {
  const before = await getCampaign(db, id);
  if (before === undefined) return { kind: 'missing' };
  if (action === 'start' && before.status === 'draft' && (await prospectCount(db, id)) === 0)
    return { kind: 'refused', reason: `campaign ${id} has no prospects: import them first (POST /campaigns/${id}/prospects)` };

  const moved = await transitionCampaign(db, id, action, { by: o.by, reason: o.reason });
  if (moved === undefined) return { kind: 'missing' };
  const { row, changed } = moved;
  const ensureWorkflow = () => startCampaignWorkflow(temporal, id, o.workflow);

  switch (action) {
    case 'start':
      if (row.status === 'running' || row.status === 'paused') await ensureWorkflow();
      break;
    case 'pause':
      await signalCampaignPause(temporal, id, o.by);
      break;
    case 'resume':
      if (!(await signalCampaignResume(temporal, id, o.by))) await ensureWorkflow();
      break;
    case 'cancel':
      if (before.status === 'draft') {
        // Nothing ever started: the campaign is cancelled at once.
        await finishCampaign(db, id, 'cancelled', {});
        return { kind: 'done', row: (await getCampaign(db, id)) ?? row, changed };
      }
      if (row.status === 'cancelling') {
        await ensureWorkflow();
        await signalCampaignCancel(temporal, id, o.by, o.reason);
      }
      break;
  }
  return { kind: 'done', row, changed };
}
