// Lead services for tests: the local outbox, template drafts and an offline MX resolver in which
// every domain takes mail except `.invalid` ones (RFC 2606), which do not exist.
import { TEST_LEAD_ID_SECRET } from './codec.js';
import type { MxRecord } from '../../activities/enrich/index.js';
import { localLeadServices, type LeadServices } from '../../wiring/services.js';

export async function fakeResolveMx(domain: string): Promise<MxRecord[]> {
  if (domain.endsWith('.invalid')) throw Object.assign(new Error(`queryMx ENOTFOUND ${domain}`), { code: 'ENOTFOUND' });
  return [{ exchange: `mx.${domain}`, priority: 10 }];
}

export function testServices(overrides: Partial<LeadServices> = {}): LeadServices {
  return localLeadServices({ resolveMx: fakeResolveMx, leadIdSecret: TEST_LEAD_ID_SECRET, ...overrides });
}
