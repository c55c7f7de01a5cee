// Taking PostgreSQL away at the worst moment: while the product's processes hold connections in
// the middle of a query. A table every lead writes to is locked for a moment, so the queries that
// arrive wait on the lock (their pooled connections checked out, mid-statement); once some have
// piled up, the server is stopped abruptly (`-m immediate`) and, after `downMs`, started again.
import pg from 'pg';
import type { RestartablePostgres } from '../postgres.js';
import { sleep } from './report.js';

export interface HaltReport {
  queriesWaitingAtHalt: number;
}

export async function restartPostgresMidQuery(
  server: RestartablePostgres,
  url: string,
  downMs: number,
  opts: { table?: string; waitForMs?: number; pileUpMs?: number } = {},
): Promise<HaltReport> {
  const table = opts.table ?? 'lead_events';
  const locker = new pg.Client({ connectionString: url });
  locker.on('error', () => undefined); // it dies with the server, as intended
  let waiting = 0;
  try {
    await locker.connect();
    await locker.query('begin');
    await locker.query(`lock table ${table} in access exclusive mode`);
    const deadline = Date.now() + (opts.waitForMs ?? 15_000);
    let firstSeen: number | null = null;
    while (Date.now() < deadline) {
      const r = await locker.query<{ n: string }>(
        "select count(*) as n from pg_stat_activity where pid <> pg_backend_pid() and wait_event_type = 'Lock' and datname = current_database()",
      );
      waiting = Number(r.rows[0]?.n ?? 0);
      // Once one waits, let the queue grow for a moment: every process writing leads joins it.
      if (waiting > 0) firstSeen ??= Date.now();
      if (firstSeen !== null && Date.now() - firstSeen >= (opts.pileUpMs ?? 1_500)) break;
      await sleep(50);
    }
  } catch {
    // No lock (server busy restarting?): halt anyway; the report says nobody was caught waiting.
  }
  await server.halt();
  await locker.end().catch(() => undefined);
  await sleep(downMs);
  await server.resume();
  return { queriesWaitingAtHalt: waiting };
}
