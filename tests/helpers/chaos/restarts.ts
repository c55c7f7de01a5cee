// Taking the servers under the product away on a schedule: the Temporal dev server is restarted in
// place (same port, same SQLite file), PostgreSQL is stopped abruptly while queries wait mid-statement
// and started again (same cluster), GreenMail is killed and restarted. Each restart is logged with
// where the run stood when it struck, so the summary shows that it hit a run in progress.
import { restartPostgresMidQuery } from './postgres-chaos.js';
import { sleep } from './report.js';
import type { ChaosWorld } from './world.js';

export type Restart = 'temporal' | 'postgres' | 'imap';

export interface RestartPlan {
  /** Each restart at its offset from the run's start (jittered by ±2 s). */
  restarts: Array<[Restart, number]>;
  /** Time each server stays down. */
  downMs: readonly [number, number];
}

export type RestartEntry = Record<string, unknown> & { kind: Restart; atS: number; leadsSubmitted: number; accepted: number };

/**
 * Runs the plan. `progress` describes the run at each restart (merged into its log entry);
 * `afterImap` runs once GreenMail is back (it comes back empty) and returns extra log fields.
 */
export async function restartOnSchedule(
  w: ChaosWorld,
  plan: RestartPlan,
  started: number,
  between: (range: readonly [number, number]) => number,
  progress: () => { leadsSubmitted: number } & Record<string, unknown>,
  afterImap: () => Promise<Record<string, unknown>>,
): Promise<RestartEntry[]> {
  const log: RestartEntry[] = [];
  for (const [kind, at] of plan.restarts) {
    await sleep(Math.max(0, started + at + between([-2_000, 2_000]) - Date.now()));
    const downMs = between(plan.downMs);
    const entry: RestartEntry = { kind, atS: Math.round((Date.now() - started) / 1000), downMs, accepted: w.sendgrid.accepted.length, ...progress() };
    if (kind === 'temporal') await w.temporal.restart(downMs);
    else if (kind === 'postgres') {
      // Down while queries are mid-statement (waiting on a lock): the worst moment for a pool.
      const halted = await restartPostgresMidQuery(w.pg, w.pg.url, downMs);
      entry.queriesWaitingAtHalt = halted.queriesWaitingAtHalt;
    } else {
      if (w.mail === null) throw new Error('an IMAP restart needs the world started with imap: true');
      await w.mail.restart();
      Object.assign(entry, await afterImap());
    }
    entry.backAfterMs = Date.now() - started - entry.atS * 1000;
    log.push(entry);
  }
  return log;
}
