// The lead workflow's two generations. `leadWorkflow` carries each change made since it first
// ran as a patch, so every run recorded before the change still replays. A patch is not free:
// each patched() call writes a marker and an upsert of TemporalChangeVersion (sdk-core always adds
// it), two history events and a visibility write; a lead asked for six, 12 of its 42 events up to
// its first message. `leadWorkflowV2` runs the same code with those patches folded in: a V2 run
// has every change applied from its start, writes no marker, and upserts a search attribute only
// when its value changes (the start already sets status, source and campaign); the tier and the
// inbox go with the next status change (run-state.ts). New leads start as
// V2; runs of the old type keep their path, and their own continue-as-new, until they end.
import type { SearchAttributePair } from '@temporalio/common';
import { patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { LEAD_WORKFLOW_TYPE } from './contract.js';
import type { LEAN_PATH_PATCH } from './journal.js';
import type { HANDOVER_PATCH, SCORE_HANDOVER_PATCH } from './pipeline.js';
import type { CAMPAIGN_DRAFT_HOLD_PATCH } from './send-step.js';
import type { INBOX_SLOTS_PATCH } from './slot-step.js';
import type { PIPELINE_PATCH } from './workflow.js';

/** The patches leadWorkflow asks for and leadWorkflowV2 always has. A patch added later to V2 uses patched(). */
export type FoldedPatch =
  | typeof PIPELINE_PATCH
  | typeof INBOX_SLOTS_PATCH
  | typeof HANDOVER_PATCH
  | typeof SCORE_HANDOVER_PATCH
  | typeof CAMPAIGN_DRAFT_HOLD_PATCH
  | typeof LEAN_PATH_PATCH;

/** True in a leadWorkflowV2 run. */
export const foldsPatches = (): boolean => workflowInfo().workflowType === LEAD_WORKFLOW_TYPE;

/** patched() for the old type; always true, with no command, for V2. */
export const hasPatch = (id: FoldedPatch): boolean => foldsPatches() || patched(id);

/** The old type upserts every pair, as its histories recorded; V2 only the pairs that change a value. */
export function upsertLeadAttributes(pairs: SearchAttributePair[]): void {
  if (!foldsPatches()) {
    upsertSearchAttributes(pairs);
    return;
  }
  const current = workflowInfo().typedSearchAttributes;
  const changed = pairs.filter((p) => current.get(p.key) !== p.value);
  if (changed.length > 0) upsertSearchAttributes(changed);
}
