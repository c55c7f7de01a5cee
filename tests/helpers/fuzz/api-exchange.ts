// What every answer of the API must satisfy under fuzzing (tests/integration/fuzz-api-*.test.ts),
// checked by `exchange` around one app.inject:
// - the status is never 5xx, and every non-2xx answer is application/problem+json with a detail
//   and its own status;
// - it completes within REQUEST_MS;
// - a refused write (4xx) writes nothing: row counts of every table are unchanged, except the one
//   audit_log row every write attempt leaves by design, and what the caller allows (`writes`: the
//   quarantine row of an ADF document that could not become a lead, which is what that route is for);
//   the registries an operator edits in place (inboxes, campaigns, suppressions, the emergency stop)
//   must also keep their contents, unless `writes` names the table.
// No worker runs during the fuzz, so nothing else writes while rows are counted.
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import type { TestDb } from '../test-db.js';
import { preview, withDeadline } from './support.js';

/** One request may take this long (a body of several MB included). */
export const REQUEST_MS = 5000;

const TABLES = [
  'leads',
  'lead_events',
  'quarantine',
  'suppressions',
  'salespeople',
  'provider_events',
  'outbox',
  'handovers',
  'api_keys',
  'audit_log',
  'inboxes',
  'campaigns',
  'campaign_imports',
  'campaign_prospects',
  'suppression_releases',
  'sending_control',
] as const;
/** Tables whose rows are updated in place by a route: a refusal must leave their contents as they were, not only their count. */
const FINGERPRINTED = ['inboxes', 'campaigns', 'suppressions', 'sending_control'] as const;
export type Table = (typeof TABLES)[number];
type Counts = Record<Table, number> & Record<`${(typeof FINGERPRINTED)[number]}~`, string>;
export type Res = LightMyRequestResponse;
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
export interface Req {
  method: Method;
  url: string;
  headers?: Record<string, string>;
  payload?: string | Buffer;
}
/** How many rows a table may gain (negative: lose) in one exchange: [min, max]; a table named may also change its rows' contents. audit_log: replaces the default rule. */
export type Writes = Partial<Record<Table, [number, number]>>;
export interface ExchangeOptions {
  /** What an answer with this status may have written; by default nothing (a refusal writes nothing). */
  writes?: (status: number) => Writes;
  /** A write route behind a key: exactly one audit row (otherwise at most one for any write). */
  auditRow?: boolean;
  /** A tighter time bound than REQUEST_MS. */
  maxMs?: number;
}

export const withType = (type: string | null, h: Record<string, string> = {}) => (type === null ? h : { ...h, 'content-type': type });

/** Sends requests to one app and checks each answer; counts them by status for the run's summary. */
export class Exchanger {
  readonly stats = { requests: 0, byStatus: {} as Record<string, number>, slowestMs: 0 };
  /** Leads the API accepted (202), with the request that made each: checked readable at the end. */
  readonly accepted = new Map<string, string>();

  constructor(
    private readonly app: FastifyInstance,
    private readonly tdb: TestDb,
    private readonly logLines: string[],
  ) {}

  private async counts(): Promise<Counts> {
    const cols = [
      ...TABLES.map((t) => sql`(select count(*) from ${sql.table(t)})::int as ${sql.ref(t)}`),
      ...FINGERPRINTED.map((t) => sql`(select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from ${sql.table(t)} x) as ${sql.ref(`${t}~`)}`),
    ];
    const { rows } = await sql<Counts>`select ${sql.join(cols)}`.execute(this.tdb.db);
    const row = rows[0];
    assert.ok(row !== undefined);
    return row;
  }

  /** The server's log lines about one request (its id is in a 5xx problem's detail). */
  private logFor(res: Res): string {
    const id = /request ([0-9a-f-]{36})/.exec(res.body)?.[1];
    const lines = id === undefined ? this.logLines.slice(-5).filter((l) => l.includes('"level":50')) : this.logLines.filter((l) => l.includes(id));
    return lines
      .map((l) => {
        try {
          const o = JSON.parse(l) as { msg?: string; err?: { type?: string; message?: string; stack?: string } };
          return `${o.msg ?? ''}: ${o.err?.stack ?? o.err?.message ?? l}`;
        } catch {
          return l;
        }
      })
      .join('\n')
      .slice(0, 3000);
  }

  /** Records the leads a 202 from an intake route started (the final test reads each back). */
  private noteAccepted(req: Req, res: Res): void {
    if (res.statusCode !== 202 || req.method !== 'POST' || !/^\/leads(\/adf)?(\?|$)/.test(req.url)) return;
    const body = res.json<{ leadId?: string; leads?: Array<{ leadId: string }> }>();
    const what = `${req.method} ${req.url} ${req.payload === undefined ? '' : preview(req.payload, 2000)}`;
    for (const leadId of [body.leadId, ...(body.leads ?? []).map((l) => l.leadId)]) if (leadId !== undefined) this.accepted.set(leadId, what);
  }

  /** Sends one request and checks what every answer must satisfy (see the file's header). */
  async exchange(req: Req, o: ExchangeOptions = {}): Promise<Res> {
    const before = await this.counts();
    const start = performance.now();
    const res = await withDeadline(`${req.method} ${preview(req.url, 80)}`, REQUEST_MS + 1000, () =>
      this.app.inject({ method: req.method, url: req.url, headers: req.headers ?? {}, ...(req.payload !== undefined && { payload: req.payload }) }),
    );
    const ms = performance.now() - start;
    const after = await this.counts();
    this.stats.requests++;
    this.stats.byStatus[res.statusCode] = (this.stats.byStatus[res.statusCode] ?? 0) + 1;
    this.stats.slowestMs = Math.max(this.stats.slowestMs, ms);
    const what = `${req.method} ${preview(req.url, 200)} content-type=${req.headers?.['content-type'] ?? '(none)'} body=${req.payload === undefined ? '(none)' : preview(req.payload, 400)}`;
    const deltas =
      TABLES.filter((t) => after[t] !== before[t])
        .map((t) => `${t} ${after[t] - before[t] > 0 ? '+' : ''}${after[t] - before[t]}`)
        .join(', ') || 'nothing';
    if (res.statusCode >= 500)
      assert.fail(
        `${res.statusCode} for ${what}\n  answer: ${preview(res.body, 300)}\n  written before it failed: ${deltas}\n  server log: ${this.logFor(res)}`,
      );
    const bound = o.maxMs ?? REQUEST_MS;
    assert.ok(ms < bound, `took ${ms.toFixed(0)} ms (bound ${bound} ms): ${what}`);
    if (res.statusCode >= 400 && req.method !== 'HEAD') {
      assert.match(
        String(res.headers['content-type']),
        /^application\/problem\+json/,
        `${res.statusCode} is not problem+json for ${what}: ${preview(res.body)}`,
      );
      const p = res.json<{ status?: unknown; detail?: unknown }>();
      assert.ok(typeof p.detail === 'string' && p.detail.length > 0, `${res.statusCode} problem without a detail for ${what}: ${preview(res.body)}`);
      assert.equal(p.status, res.statusCode, `problem status for ${what}`);
    }
    const allowed: Writes = o.writes?.(res.statusCode) ?? {};
    const isWrite = !['GET', 'HEAD', 'OPTIONS'].includes(req.method);
    // A request no route matched (404 "no route") leaves no audit row, like the router's own refusals.
    const matched = !(res.statusCode === 404 && res.body.includes('no route for'));
    for (const t of TABLES) {
      const delta = after[t] - before[t];
      const [min, max] =
        t === 'audit_log' && allowed.audit_log === undefined
          ? o.auditRow === true && isWrite && matched
            ? [1, 1]
            : [0, isWrite ? 1 : 0]
          : (allowed[t] ?? [0, 0]);
      if (delta < min || delta > max) {
        assert.fail(
          `${t} changed by ${delta} (allowed ${min}..${max}; all changes: ${deltas}) on a ${res.statusCode} for ${what}\n  answer: ${preview(res.body, 300)}${t === 'audit_log' ? `\n  server log: ${this.logFor(res)}` : ''}`,
        );
      }
    }
    for (const t of FINGERPRINTED) {
      if (allowed[t] === undefined && after[`${t}~`] !== before[`${t}~`])
        assert.fail(`${t} rows changed in place on a ${res.statusCode} for ${what}\n  answer: ${preview(res.body, 300)}`);
    }
    this.noteAccepted(req, res);
    return res;
  }
}
