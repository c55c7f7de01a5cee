// Builders for lead inputs in tests: each call makes a distinct lead unless told otherwise.
import type { LeadInput } from '../../workflows/lead/contract.js';
import { uniqueName } from './temporal.js';

export function makeLeadInput(overrides: Partial<LeadInput> = {}): LeadInput {
  const id = uniqueName('p');
  return {
    source: 'test-dealer',
    externalId: id,
    campaignId: null,
    contact: { firstName: 'Jane', lastName: 'Doe', email: `${id}@example.com`, phone: '+15555550100' },
    payload: { vehicle: { year: 2024, make: 'Subaru', model: 'Outback' } },
    ...overrides,
  };
}
