// Lead enrichment activities, a factory over their side effects: DNS (MX), an optional external
// verifier over HTTP, and the clock. The worker wires node:dns/promises `resolveMx`; tests wire a
// fake resolver and a local HTTP server. Nothing here throws for bad lead data: every finding is a
// field of the result, so the workflow decides what an invalid e-mail means, not a retry policy.
import { checkEmailSyntax, isDisposableDomain, isRoleAddress } from '../../domain/enrich/email.js';
import { lookupMx, type ResolveMx } from './mx.js';
import { enrichPhone } from '../../domain/enrich/phone.js';
import type { EmailEnrichment, EnrichInput, Enrichment } from '../../domain/enrich/types.js';
import { createEmailVerifier, type VerifierConfig, type VerifyEmail } from './verifier.js';
import { enrichVehicle } from '../../domain/enrich/vin.js';

export type * from '../../domain/enrich/types.js';
export type { MxRecord, ResolveMx } from './mx.js';
export type { VerifierConfig } from './verifier.js';

export interface EnrichDeps {
  resolveMx: ResolveMx;
  /** An external e-mail verifier; its absence is normal and not an error. */
  verifier?: VerifierConfig | undefined;
  fetch?: typeof fetch;
  /** Milliseconds since the epoch; injected so "current year" is testable. */
  clock?: () => number;
}

async function enrichEmail(raw: string, resolveMx: ResolveMx, verify: VerifyEmail | null): Promise<EmailEnrichment> {
  const { address, syntaxValid, domain } = checkEmailSyntax(raw);
  const disposable = domain !== null && isDisposableDomain(domain);
  const role = isRoleAddress(address);
  if (!syntaxValid || domain === null) {
    return { address, syntaxValid, domain, mx: 'skipped', disposable, role, verifier: null };
  }
  const mx = await lookupMx(resolveMx, domain);
  // A paid verifier is asked only about addresses that could still be good: a domain with no
  // mail exchanger cannot receive mail, whatever the verifier would charge to say so.
  const verifier = verify !== null && mx !== 'none' ? await verify(address) : null;
  return { address, syntaxValid, domain, mx, disposable, role, verifier };
}

export function createEnrichActivities(deps: EnrichDeps) {
  const { resolveMx } = deps;
  const clock = deps.clock ?? Date.now;
  const verify = deps.verifier === undefined ? null : createEmailVerifier(deps.verifier, deps.fetch ?? fetch);

  async function enrichLead(input: EnrichInput): Promise<Enrichment> {
    const currentYear = new Date(clock()).getUTCFullYear();
    const hasEmail = input.email !== null && input.email.trim() !== '';
    const hasPhone = input.phone !== null && input.phone.trim() !== '';
    return {
      email: hasEmail && input.email !== null ? await enrichEmail(input.email, resolveMx, verify) : null,
      phone: hasPhone && input.phone !== null ? enrichPhone(input.phone, input.region) : null,
      vehicles: input.vehicles.map((v) => enrichVehicle(v, currentYear)),
    };
  }

  return { enrichLead };
}

export type EnrichActivities = ReturnType<typeof createEnrichActivities>;
