// One lead, one workflow: persist it, enrich and score it, then run its message sequence until a
// reply, a bounce, a complaint, an unsubscribe, a stop, or the end of the sequence. Runs started
// before the pipeline existed keep their original path (the `lead-pipeline-v1` patch), so every
// committed history still replays. leadWorkflowV2 is the same code with those patches folded in
// (version.ts): what new leads start as.
import { Failure } from '../../domain/failures/index.js';
import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import { CampaignIdKey, LeadSourceKey, LeadStatusKey } from '../search-attributes.js';
import { persistLead, persistLeadLocal } from './activities.js';
import { chooseLean } from './journal.js';
import type { LeadInput, LeadOutcome } from './contract.js';
import { legacyWait } from './legacy.js';
import { HANDOVER_PATCH, runPipeline, runSequence, SCORE_HANDOVER_PATCH } from './pipeline.js';
import { CAMPAIGN_DRAFT_HOLD_PATCH } from './send-step.js';
import { INBOX_SLOTS_PATCH } from './slot-step.js';
import { LeadRunState } from './run-state.js';
import { endStoppedEarly, stopBeforeStart } from './stopped-early.js';
import { checkSequence, durationMs } from './sequence.js';
import { hasPatch, upsertLeadAttributes } from './version.js';

export const DEFAULT_WAIT = '30 days';
export const PIPELINE_PATCH = 'lead-pipeline-v1';

export async function leadWorkflow(input: LeadInput): Promise<LeadOutcome> {
  return runLead(input);
}

/** The lead with every patch of leadWorkflow applied from its start, and no marker for any. */
export async function leadWorkflowV2(input: LeadInput): Promise<LeadOutcome> {
  return runLead(input);
}

async function runLead(input: LeadInput): Promise<LeadOutcome> {
  const st = new LeadRunState(workflowInfo().workflowId, input.carry);
  // A continued run picks up the sequence where the previous run handed it over.
  if (input.carry !== undefined) {
    if (st.lean) primePatches();
    return runSequence(input, st, input.carry);
  }

  upsertLeadAttributes([
    { key: LeadStatusKey, value: st.status },
    { key: LeadSourceKey, value: input.source },
    ...(input.campaignId !== null ? [{ key: CampaignIdKey, value: input.campaignId }] : []),
  ]);
  st.lean = chooseLean();
  if (st.lean) primePatches();
  const earlyStop = stopBeforeStart(st);
  await (st.lean ? persistLeadLocal : persistLead)({ leadId: st.leadId, input, status: st.status });
  if (earlyStop !== null) return endStoppedEarly(st, earlyStop);
  const waitMs = checked(() => durationMs(input.waitFor ?? DEFAULT_WAIT, 'waitFor'));
  if (!hasPatch(PIPELINE_PATCH)) return legacyWait(st, waitMs);
  if (input.sequence !== undefined) checked(() => checkSequence(input.sequence ?? []));
  return runPipeline(input, st, waitMs);
}

/**
 * A lean run asks for every patch its code may ask for, once, before its first local activity.
 * Replay needs a patch's marker in the workflow task where the code asks for it; a local activity
 * that outlasts its workflow task (a slow database) moves the code after it into the next task,
 * and a patch asked for there no longer matches the recorded history (found replaying a lean
 * handover history). After its first call a patch is answered from memory, with no command.
 */
function primePatches(): void {
  for (const id of [PIPELINE_PATCH, INBOX_SLOTS_PATCH, HANDOVER_PATCH, SCORE_HANDOVER_PATCH, CAMPAIGN_DRAFT_HOLD_PATCH] as const) hasPatch(id);
}

function checked<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    // Bad input is the caller's mistake: fail the workflow visibly instead of retrying a task forever.
    throw ApplicationFailure.nonRetryable((err as Error).message, Failure.InvalidLead);
  }
}
