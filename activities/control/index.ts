// The control workflow's activities: they write the emergency stop to the database (with its audit
// row, in the same transaction) and answer the state as stored. An activity returning from
// stopSending is the acknowledgement: no provider call starts after it unless it was already in
// flight (see db/repositories/control.ts).
import { log } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import { controlView, DEFAULT_RAMP, getSendingControl, resumeSending, setStopped, type Database, type RampSettings } from '../../db/index.js';
import type { ControlState, EmergencyStopRequest, ResumeRequest } from '../../workflows/control/contract.js';

export interface ControlDeps {
  db: Kysely<Database>;
  /** The ramp a resume gets when it names none (RESUME_RAMP_*); DEFAULT_RAMP when absent. */
  defaultRamp?: RampSettings;
}

/** Which update asked: the audit row's request id, so the row points back at the workflow's history. */
export interface ControlCall {
  requestId: string;
}

export function createControlActivities(deps: ControlDeps) {
  const { db } = deps;
  const defaultRamp = deps.defaultRamp ?? DEFAULT_RAMP;

  async function stopSending(req: EmergencyStopRequest & ControlCall): Promise<ControlState> {
    const { changed, row } = await setStopped(db, { reason: req.reason, by: req.by, requestId: req.requestId });
    if (changed) log.warn('emergency stop: all sending halted', { by: req.by, reason: req.reason });
    else log.info('emergency stop repeated while stopped: nothing changed', { by: req.by });
    return controlView(row);
  }

  async function resumeSendingAfterStop(req: ResumeRequest & ControlCall): Promise<ControlState> {
    const ramp = req.ramp === null ? null : { ...defaultRamp, ...stripUndefined(req.ramp ?? {}) };
    const { changed, row } = await resumeSending(db, { by: req.by, ramp, requestId: req.requestId });
    if (changed) log.warn('sending resumed', { by: req.by, ramp });
    return controlView(row);
  }

  async function readControlState(): Promise<ControlState> {
    return controlView(await getSendingControl(db));
  }

  return { stopSending, resumeSending: resumeSendingAfterStop, readControlState };
}

// A ramp decoded from JSON may carry explicit undefineds only from TypeScript callers; they must
// not erase the defaults.
function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export type ControlActivities = ReturnType<typeof createControlActivities>;
