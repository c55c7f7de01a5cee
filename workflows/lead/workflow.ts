// One lead, one workflow: persist it, enrich and score it, then run its message sequence until a
// reply, a bounce, a complaint, an unsubscribe, a stop, or the end of the sequence. Runs started
// before the pipeline existed keep their original path (the `lead-pipeline-v1` patch), so every
// committed history still replays.
import { Failure } from '../../domain/failures/index.js';
import { ApplicationFailure, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { CampaignIdKey, LeadSourceKey, LeadStatusKey } from '../search-attributes.js';
import { persistLead } from './activities.js';
import type { LeadInput, LeadOutcome } from './contract.js';
import { legacyWait } from './legacy.js';
import { runPipeline, runSequence } from './pipeline.js';
import { LeadRunState } from './run-state.js';
import { checkSequence, durationMs } from './sequence.js';

export const DEFAULT_WAIT = '30 days';
export const PIPELINE_PATCH = 'lead-pipeline-v1';

export async function leadWorkflow(input: LeadInput): Promise<LeadOutcome> {
  const st = new LeadRunState(workflowInfo().workflowId, input.carry);
  // A continued run picks up the sequence where the previous run handed it over.
  if (input.carry !== undefined) return runSequence(input, st, input.carry);

  upsertSearchAttributes([
    { key: LeadStatusKey, value: st.status },
    { key: LeadSourceKey, value: input.source },
    ...(input.campaignId !== null ? [{ key: CampaignIdKey, value: input.campaignId }] : []),
  ]);
  await persistLead({ leadId: st.leadId, input, status: st.status });
  const waitMs = checked(() => durationMs(input.waitFor ?? DEFAULT_WAIT, 'waitFor'));
  if (!patched(PIPELINE_PATCH)) return legacyWait(st, waitMs);
  if (input.sequence !== undefined) checked(() => checkSequence(input.sequence ?? []));
  return runPipeline(input, st, waitMs);
}

function checked<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    // Bad input is the caller's mistake: fail the workflow visibly instead of retrying a task forever.
    throw ApplicationFailure.nonRetryable((err as Error).message, Failure.InvalidLead);
  }
}
