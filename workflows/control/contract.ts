// The control workflow's public contract: the one per-namespace entity behind the global emergency
// stop and the throttled resume. Side-effect free: api/, bin/, activities/ and the workflow import it.
// The flag itself lives in the database (every send reads it right before its provider call); the
// workflow serialises the operators' commands and keeps their answers in its history.
import { defineQuery, defineUpdate } from '@temporalio/workflow';

export const CONTROL_WORKFLOW_TYPE = 'controlWorkflow';
/** One per namespace: the update-with-start of the first stop creates it, later ones find it. */
export const CONTROL_WORKFLOW_ID = 'leadflow-control';

/**
 * The control workflow and its activities run on a task queue of their own beside the lead queue
 * (leadflow-leads → leadflow-leads-control), polled by a small worker in every worker process: on
 * the lead queue a stop's workflow task and activity waited behind the very sends it was meant to
 * stop (4 s with 1,000 leads sending; bench/stop-e2e.ts).
 */
export const CONTROL_QUEUE_SUFFIX = '-control';
export const controlTaskQueue = (leadQueue: string): string => (leadQueue.endsWith(CONTROL_QUEUE_SUFFIX) ? leadQueue : `${leadQueue}${CONTROL_QUEUE_SUFFIX}`);
/** A control workflow started on the lead queue (before the own queue) moves there at its next task. */
export const CONTROL_OWN_QUEUE_PATCH = 'control-own-queue-v1';

/** Messages per minute after a resume: initial for the first period, doubling each period, unlimited above max. */
export interface ResumeRamp {
  initialPerMinute: number;
  doublingEveryMinutes: number;
  maxPerMinute: number;
}

/** The stop as the database holds it (timestamps ISO-8601): the answer to every update and the query. */
export interface ControlState {
  stopped: boolean;
  reason: string | null;
  stoppedBy: string | null;
  stoppedAt: string | null;
  resumedBy: string | null;
  resumedAt: string | null;
  /** The last resume's ramp, with its rate when the state was read; null: resumed without one, or never stopped. */
  ramp: (ResumeRamp & { startedAt: string; currentPerMinute: number; active: boolean; lastPermitAt: string | null }) | null;
  updatedAt: string;
}

export interface EmergencyStopRequest {
  reason: string;
  /** Who: the API key's name, or the CLI's operator. */
  by: string;
}

export interface ResumeRequest {
  by: string;
  /** Omitted: the workers' default (RESUME_RAMP_* or 1 a minute doubling hourly). null: no ramp. */
  ramp?: Partial<ResumeRamp> | null;
}

export interface ControlWorkflowInput {
  /** Continue-as-new after this many updates even when the server does not suggest it (default 500). */
  maxUpdatesPerRun?: number;
  /** Set by continue-as-new only: the last known state. Plain JSON. */
  carry?: { state: ControlState | null; runs: number };
}

export const REASON_MAX = 500;
export const BY_MAX = 200;
export const RAMP_RANGE = { perMinute: { min: 0.01, max: 60_000 }, doublingMinutes: { min: 1, max: 10_080 } } as const;

/** Why a request is refused, or null. Run by the updates' validators and by the API before it calls. */
export function checkStopRequest(r: EmergencyStopRequest): string | null {
  if (typeof r?.reason !== 'string' || r.reason.trim() === '') return 'reason: a stop needs a reason';
  if (r.reason.length > REASON_MAX) return `reason: at most ${REASON_MAX} characters`;
  return checkBy(r.by);
}

export function checkResumeRequest(r: ResumeRequest): string | null {
  const by = checkBy(r?.by);
  if (by !== null || r.ramp == null) return by;
  const inRange = (v: unknown, range: { min: number; max: number }) =>
    v === undefined || (typeof v === 'number' && Number.isFinite(v) && v >= range.min && v <= range.max);
  const { perMinute, doublingMinutes } = RAMP_RANGE;
  if (!inRange(r.ramp.initialPerMinute, perMinute)) return `ramp.initialPerMinute: between ${perMinute.min} and ${perMinute.max}`;
  if (!inRange(r.ramp.maxPerMinute, perMinute)) return `ramp.maxPerMinute: between ${perMinute.min} and ${perMinute.max}`;
  if (!inRange(r.ramp.doublingEveryMinutes, doublingMinutes)) return `ramp.doublingEveryMinutes: between ${doublingMinutes.min} and ${doublingMinutes.max}`;
  return null;
}

function checkBy(by: unknown): string | null {
  if (typeof by !== 'string' || by.trim() === '') return 'by: who stops or resumes must be named';
  return by.length > BY_MAX ? `by: at most ${BY_MAX} characters` : null;
}

/** Stops every send; answers once the stop is committed (acknowledged). A repeat answers the current state. */
export const emergencyStopUpdate = defineUpdate<ControlState, [EmergencyStopRequest]>('emergencyStop');
/** Lifts the stop with a throttled ramp. Resuming while running answers the current state. */
export const resumeUpdate = defineUpdate<ControlState, [ResumeRequest]>('resume');
/** The state as of the last update of this workflow (null before the first); GET /control reads the database. */
export const controlStateQuery = defineQuery<ControlState | null>('controlState');
