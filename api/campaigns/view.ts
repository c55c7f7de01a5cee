// A campaign as the API shows it: the stored definition, status with who and why, the latest
// totals the campaign workflow counted, and where to watch it in the Temporal Web UI.
import type { CampaignRow } from '../../db/index.js';
import { campaignWorkflowId } from '../../workflows/campaign/contract.js';

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export function campaignView(row: CampaignRow) {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    statusBy: row.status_by,
    statusReason: row.status_reason,
    statusAt: iso(row.status_at),
    version: row.version,
    spec: row.spec,
    totals: row.totals,
    workflowId: campaignWorkflowId(row.id),
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  };
}
export type CampaignView = ReturnType<typeof campaignView>;
