// MX lookup classification. The resolver is injected (node:dns/promises `resolveMx` in the worker,
// a fake in tests) so enrichment stays testable offline and the activity never owns a socket.
import type { MxStatus } from '../../domain/enrich/types.js';

export interface MxRecord {
  exchange: string;
  priority: number;
}

export type ResolveMx = (domain: string) => Promise<MxRecord[]>;

// The answers that mean "this domain takes no mail": it does not exist, or it has no MX records.
// Every other failure (ETIMEOUT, ESERVFAIL, ECONNREFUSED, ...) is our DNS having a bad moment and
// says nothing about the lead, so it is reported as 'error' and never fails the activity.
const NO_MAIL_CODES = new Set(['ENOTFOUND', 'ENODATA']);

export async function lookupMx(resolveMx: ResolveMx, domain: string): Promise<MxStatus> {
  let records: MxRecord[];
  try {
    records = await resolveMx(domain);
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    return typeof code === 'string' && NO_MAIL_CODES.has(code) ? 'none' : 'error';
  }
  // RFC 7505 "null MX": a single record with exchange "." (node reports it as "") declares that
  // the domain accepts no mail at all.
  const usable = records.filter((r) => r.exchange.replace(/\.$/, '') !== '');
  return usable.length > 0 ? 'found' : 'none';
}
