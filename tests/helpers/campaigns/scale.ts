// A campaign at scale, for the scale and chaos tests and the fan-out benchmark: a prospect list
// of any size with about 2% known mistakes in it (each with the row number and reason the import
// must report), the API calls the tests make, and what the database and the stand-in must show.
import type { FastifyInstance } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../db/index.js';
import type { AcceptedMail } from '../standins/sendgrid.js';
import { keyOf } from './harness.js';

export interface ScaleProspect {
  /** The spreadsheet row (the header is row 1). */
  row: number;
  email: string;
  firstName: string;
  company: string;
}
export interface ExpectedProblem {
  row: number;
  field: string;
  reason: string;
}

/** One data row in this many is a mistake: 2%. */
const INVALID_EVERY = 50;

/**
 * `n` data rows; every 50th is wrong in one of four ways, in turn: a malformed e-mail, a
 * duplicate (another case) of an earlier valid row, too few fields, too many fields.
 */
export function scaleCsv(n: number, domain: string): { csv: string; valid: ScaleProspect[]; invalid: ExpectedProblem[] } {
  const lines = ['Email,First Name,Company,Plan'];
  const valid: ScaleProspect[] = [];
  const invalid: ExpectedProblem[] = [];
  for (let i = 0; i < n; i++) {
    const row = i + 2;
    const email = `p${i}@${domain}`;
    if (i % INVALID_EVERY === INVALID_EVERY / 2) {
      const kind = Math.floor(i / INVALID_EVERY) % 4;
      // Three rows back is always a valid one (mistakes are 50 rows apart).
      const earlier = valid[valid.length - 3]!;
      const [line, problem] = (
        [
          [`p${i}-at-${domain},Bad${i},Co,plan-0`, { row, field: 'email', reason: 'not a valid e-mail address' }],
          [`${earlier.email.toUpperCase()},Again${i},Co,plan-1`, { row, field: 'email', reason: `duplicate of row ${earlier.row}` }],
          [`${email},Short${i}`, { row, field: 'row', reason: '2 fields, the header has 4' }],
          [`${email},Long${i},Co,plan-2,extra`, { row, field: 'row', reason: '5 fields, the header has 4' }],
        ] as const
      )[kind]!;
      lines.push(line);
      invalid.push(problem);
      continue;
    }
    const p = { row, email, firstName: `Prospect${i}`, company: `Fleet Co ${i % 7}` };
    lines.push(`${p.email},${p.firstName},${p.company},plan-${i % 3}`);
    valid.push(p);
  }
  return { csv: lines.join('\r\n') + '\r\n', valid, invalid };
}

/** Step 1's subject as campaignSpec()'s variants render it for this prospect. */
export const firstSubject = (variant: string, p: ScaleProspect): string => (variant === 'A' ? `A: hello ${p.firstName}` : `B: a question for ${p.company}`);

export type Api = ReturnType<typeof campaignApi>;

/** The campaign routes through fastify's inject, with a write key. */
export function campaignApi(app: FastifyInstance, auth: Record<string, string>) {
  const call = (method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method,
      url,
      headers: { ...auth, ...(payload !== undefined && typeof payload !== 'string' && { 'content-type': 'application/json' }), ...headers },
      ...(payload !== undefined && { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
    });
  return {
    call,
    importCsv: (id: string, csv: string) => call('POST', `/campaigns/${id}/prospects`, csv, { 'content-type': 'text/csv; charset=utf-8' }),
    status: async (id: string) => (await call('GET', `/campaigns/${id}`)).json<{ status: string; totals: Record<string, number> }>(),
  };
}

export interface ProspectRow {
  row_number: number;
  email: string | null;
  status: string;
  lead_id: string | null;
}

export const prospectRows = (db: Kysely<Database>, campaignId: string): Promise<ProspectRow[]> =>
  db
    .selectFrom('campaign_prospects')
    .select(['row_number', 'email', 'status', 'lead_id'])
    .where('campaign_id', '=', campaignId)
    .orderBy('row_number')
    .execute();

export async function startedCount(db: Kysely<Database>, campaignId: string): Promise<number> {
  const r = await db
    .selectFrom('campaign_prospects')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('campaign_id', '=', campaignId)
    .where('status', '=', 'started')
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The campaign's send keys the ledger holds as passed its gate: in flight, or sent. */
export async function passedTheGate(db: Kysely<Database>, campaignId: string): Promise<Set<string>> {
  const { rows } = await sql<{
    idempotency_key: string;
  }>`select idempotency_key from outbox where campaign_id = ${campaignId} and (in_flight or status = 'sent')`.execute(db);
  return new Set(rows.map((r) => r.idempotency_key));
}

/** How often the stand-in accepted each (lead, step) key of these leads. */
export function acceptedByKey(accepted: readonly AcceptedMail[], leadIds: ReadonlySet<string>): Map<string, AcceptedMail[]> {
  const out = new Map<string, AcceptedMail[]>();
  for (const m of accepted) {
    const key = keyOf(m);
    if (!leadIds.has(key.split(':step:')[0] ?? '')) continue;
    out.set(key, [...(out.get(key) ?? []), m]);
  }
  return out;
}

/** Every (lead, step) accepted exactly once: the duplicated and the missing keys. */
export function exactlyOnce(byKey: Map<string, AcceptedMail[]>, leadIds: Iterable<string>, steps: number): { duplicates: string[]; missing: string[] } {
  const duplicates = [...byKey].filter(([, ms]) => ms.length > 1).map(([k, ms]) => `${k} x${ms.length}`);
  const missing: string[] = [];
  for (const id of leadIds) for (let s = 1; s <= steps; s++) if (!byKey.has(`${id}:step:${s}`)) missing.push(`${id}:step:${s}`);
  return { duplicates, missing };
}
