// A prospect import: the body streamed (hashed and counted as it comes, refused past the byte cap
// without reading the rest) through the prospect-list contract (domain/prospects), suppressed
// addresses refused per row, then stored in one transaction with its report. The same key, or
// the same bytes, finds the earlier import. A dry run answers the same report and stores nothing.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { findImport, storeImport, type CampaignImportRow, type Database, type ImportProblem } from '../../db/index.js';
import { checkProspects, type ProspectCheck, type ProspectMapping } from '../../domain/prospects/index.js';

/** The largest prospect list one request may carry (about 200,000 rows of typical width). */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

export class ImportTooLargeError extends Error {
  readonly statusCode = 413;
  constructor() {
    super(`the prospect list is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB: split it into several imports`);
  }
}

/** Passes the body through, hashing and counting it; stops at the cap. */
export function meteredBody(source: AsyncIterable<Uint8Array>, hash = createHash('sha256')): { chunks: AsyncIterable<Uint8Array>; digest: () => string } {
  async function* chunks() {
    let bytes = 0;
    for await (const chunk of source) {
      bytes += chunk.length;
      if (bytes > MAX_IMPORT_BYTES) throw new ImportTooLargeError();
      hash.update(chunk);
      yield chunk;
    }
  }
  return { chunks: chunks(), digest: () => hash.digest('hex') };
}

/** Which of these addresses (lower-cased e-mails, E.164 phones) are on the suppression list. */
async function suppressedAmong(db: Kysely<Database>, addresses: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < addresses.length; i += 1000) {
    const rows = await db
      .selectFrom('suppressions')
      .select('address')
      .where('address', 'in', addresses.slice(i, i + 1000))
      .execute();
    for (const r of rows) out.add(r.address);
  }
  return out;
}

/**
 * Rows already in the campaign, found as storeImport's unique indexes find them: by normalised
 * e-mail, and a row without one by its phone among the prospects without one. For the dry run,
 * which must report what the real import would: the same rows refused with the same field.
 */
async function alreadyIn(db: Kysely<Database>, campaignId: string, rows: ProspectCheck['valid']): Promise<{ emails: Set<string>; phones: Set<string> }> {
  const emails = rows.flatMap((p) => (p.emailNorm !== null ? [p.emailNorm] : []));
  const phones = rows.flatMap((p) => (p.emailNorm === null && p.phone !== null ? [p.phone] : []));
  const out = { emails: new Set<string>(), phones: new Set<string>() };
  for (let i = 0; i < emails.length; i += 1000) {
    const found = await db
      .selectFrom('campaign_prospects')
      .select('email_norm')
      .where('campaign_id', '=', campaignId)
      .where('email_norm', 'in', emails.slice(i, i + 1000))
      .execute();
    for (const r of found) if (r.email_norm !== null) out.emails.add(r.email_norm);
  }
  for (let i = 0; i < phones.length; i += 1000) {
    const found = await db
      .selectFrom('campaign_prospects')
      .select('phone')
      .where('campaign_id', '=', campaignId)
      .where('email_norm', 'is', null)
      .where('phone', 'in', phones.slice(i, i + 1000))
      .execute();
    for (const r of found) if (r.phone !== null) out.phones.add(r.phone);
  }
  return out;
}

export interface ImportReport {
  importId: string | null;
  /** False when this key or these bytes had been imported before: the earlier report is answered. */
  created: boolean;
  dryRun: boolean;
  rows: number;
  accepted: number;
  invalid: ImportProblem[];
}

export const reportOf = (row: CampaignImportRow, created: boolean): ImportReport => ({
  importId: row.id,
  created,
  dryRun: false,
  rows: row.rows,
  accepted: row.accepted,
  invalid: row.invalid as unknown as ImportProblem[],
});

export async function importProspects(
  db: Kysely<Database>,
  req: {
    campaignId: string;
    body: AsyncIterable<Uint8Array>;
    format: 'csv' | 'json' | 'auto';
    encoding: 'utf-8' | 'windows-1252' | 'auto';
    mapping: ProspectMapping | undefined;
    region: string | undefined;
    key: string | null;
    dryRun: boolean;
    by: string | null;
  },
): Promise<ImportReport> {
  const body = meteredBody(req.body);
  const check = await checkProspects(body.chunks, {
    format: req.format,
    encoding: req.encoding,
    ...(req.mapping !== undefined && { mapping: req.mapping }),
    ...(req.region !== undefined && { region: req.region }),
  });
  const sha256 = body.digest();
  if (!req.dryRun) {
    const earlier = await findImport(db, req.campaignId, { key: req.key, sha256 });
    if (earlier !== undefined) return reportOf(earlier, false);
  }
  const suppressed = await suppressedAmong(db, [...new Set(check.valid.flatMap((p) => [p.emailNorm, p.phone].filter((a): a is string => a !== null)))]);
  const invalid: ImportProblem[] = [...check.invalid];
  const valid = check.valid.filter((p) => {
    const hit = p.emailNorm !== null && suppressed.has(p.emailNorm) ? 'email' : p.phone !== null && suppressed.has(p.phone) ? 'phone' : null;
    if (hit !== null) invalid.push({ row: p.row, field: hit, reason: 'suppressed: the address unsubscribed, bounced or complained before' });
    return hit === null;
  });
  if (req.dryRun) {
    const existing = await alreadyIn(db, req.campaignId, valid);
    const fresh = valid.filter((p) => {
      const field =
        p.emailNorm !== null ? (existing.emails.has(p.emailNorm) ? 'email' : null) : p.phone !== null && existing.phones.has(p.phone) ? 'phone' : null;
      if (field === null) return true;
      invalid.push({ row: p.row, field, reason: 'already a prospect of this campaign' });
      return false;
    });
    return { importId: null, created: false, dryRun: true, rows: check.rows, accepted: fresh.length, invalid: invalid.sort((a, b) => a.row - b.row) };
  }
  const stored = await storeImport(db, { campaignId: req.campaignId, key: req.key, sha256, rows: check.rows, createdBy: req.by }, valid, invalid);
  return reportOf(stored.row, stored.created);
}
