// Adapter for an external e-mail verification service (ZeroBounce, Kickbox, NeverBounce, ... behind
// a small proxy, or a vendor that speaks this directly). Optional: without one, the verifier field
// stays null; with one, any failure degrades to 'unknown' because a missing verdict must never
// block or fail a lead.
//
// Contract the service must meet:
//   POST {url}
//   Authorization: Bearer {apiKey}
//   Content-Type: application/json
//   body: {"email": "jane@example.com"}
//   200 -> {"status": "deliverable" | "undeliverable" | "risky" | "unknown", ...other fields ignored}
// Common vendor synonyms (valid, invalid, catch-all, accept_all) are mapped; anything else is
// 'unknown' with the text kept in `raw`. Non-2xx, bad JSON, network errors and answers slower than
// the timeout (3 s) all give 'unknown'.
import type { VerifierResult, VerifierStatus } from '../../domain/enrich/types.js';

export interface VerifierConfig {
  url: string;
  apiKey: string;
  /** Milliseconds; 3 s by default so a slow vendor cannot stall enrichment. */
  timeoutMs?: number;
}

export type VerifyEmail = (email: string) => Promise<VerifierResult>;

const DEFAULT_TIMEOUT_MS = 3_000;

const SYNONYMS: Readonly<Record<string, VerifierStatus>> = {
  deliverable: 'deliverable',
  valid: 'deliverable',
  ok: 'deliverable',
  undeliverable: 'undeliverable',
  invalid: 'undeliverable',
  bounce: 'undeliverable',
  risky: 'risky',
  'catch-all': 'risky',
  catch_all: 'risky',
  accept_all: 'risky',
  'accept-all': 'risky',
  unknown: 'unknown',
};

function statusOf(body: unknown): VerifierResult {
  const status = (body as { status?: unknown } | null)?.status;
  if (typeof status !== 'string') return { status: 'unknown', raw: 'no status in response' };
  const mapped = SYNONYMS[status.trim().toLowerCase()];
  return mapped === undefined ? { status: 'unknown', raw: status.slice(0, 100) } : { status: mapped, raw: status };
}

export function createEmailVerifier(config: VerifierConfig, fetchFn: typeof fetch = fetch): VerifyEmail {
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return async (email) => {
    try {
      // The signal covers the body as well as the headers: a vendor that stalls mid-body is cut too.
      const response = await fetchFn(config.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${config.apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ email }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) {
        await response.body?.cancel();
        return { status: 'unknown', raw: `http ${response.status}` };
      }
      return statusOf(await response.json());
    } catch (err) {
      const name = (err as { name?: unknown } | null)?.name;
      if (name === 'TimeoutError' || name === 'AbortError') return { status: 'unknown', raw: 'timeout' };
      if (name === 'SyntaxError') return { status: 'unknown', raw: 'invalid json' };
      return { status: 'unknown', raw: 'request failed' };
    }
  };
}
