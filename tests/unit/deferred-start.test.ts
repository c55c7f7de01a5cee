// When a campaign lead's start is deferred, and where its sequence's clock begins.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { prospectRow } from '../helpers/campaigns/prospect-row.js';
import { DEFER_START_MIN_MS, prospectLeadInput, startDelayFor, startedProspectInput } from '../../temporal/campaign-lead-input.js';
import { InvalidLeadInputError, validateLeadInput } from '../../temporal/lead-validation.js';
import { nextAction } from '../../workflows/lead/sequence.js';
import type { LeadCarry } from '../../workflows/lead/contract.js';
import { campaignSpec } from '../helpers/campaigns/harness.js';

const T0 = Date.parse('2026-12-03T09:00:00Z');
const prospect = (startedAt: Date | null) =>
  prospectRow({ seq: '7', campaign_id: 'camp-d', created_at: new Date(T0), status: startedAt === null ? 'pending' : 'started', started_at: startedAt });
const withFirstStep = (delay: string) => {
  const spec = campaignSpec();
  spec.steps[0]!.delay = delay;
  return prospectLeadInput('camp-d', spec, prospect(null), T0);
};

describe('deferred campaign starts', () => {
  test('a first step a minute or more away defers the start by what is left of it', () => {
    assert.equal(startDelayFor(withFirstStep('1 hour'), T0), 3_600_000);
    assert.equal(startDelayFor(withFirstStep('1 hour'), T0 + 600_000), 3_000_000, 'a page rerun later defers by the rest');
    assert.equal(startDelayFor(withFirstStep('1 minute'), T0), DEFER_START_MIN_MS);
    assert.equal(startDelayFor(withFirstStep('59 seconds'), T0), 0, 'too near to be worth it');
    assert.equal(startDelayFor(withFirstStep('0 seconds'), T0), 0);
    assert.equal(startDelayFor(withFirstStep('1 hour'), T0 + 3_600_000), 0, 'already due: start now');
    assert.equal(startDelayFor(withFirstStep('3 seconds'), T0, 2_000), 3_000, 'the threshold is a setting');
  });

  test("the sequence's clock is the fan-out's, so the first step is not a delay late", () => {
    const input = withFirstStep('1 hour');
    assert.equal(input.sequenceStartedAt, T0);
    // The workflow runs at T0 + 1 h and counts from sequenceStartedAt: the step is due at once.
    const carry = { sequenceStartedAt: input.sequenceStartedAt, lastSentAt: null, stepsSent: 0, pendingResend: null } as unknown as LeadCarry;
    assert.deepEqual(nextAction(input.sequence!, carry), { kind: 'send', step: 1, dueAt: T0 + 3_600_000, resend: false });
  });

  test("a started prospect's input for the wake-up stop is the one it was started with", () => {
    const spec = campaignSpec();
    const at = new Date(T0 + 5_000);
    assert.deepEqual(startedProspectInput('camp-d', spec, prospect(at)), prospectLeadInput('camp-d', spec, prospect(at), T0 + 5_000));
  });

  test('sequenceStartedAt must be epoch milliseconds', () => {
    const input = withFirstStep('1 hour');
    assert.doesNotThrow(() => validateLeadInput(input));
    for (const bad of [1.5, Number.NaN, '2026-12-03' as unknown as number]) {
      assert.throws(
        () => validateLeadInput({ ...input, sequenceStartedAt: bad }),
        (err: unknown) => err instanceof InvalidLeadInputError && err.field === 'sequenceStartedAt',
        String(bad),
      );
    }
  });
});
