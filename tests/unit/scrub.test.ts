// PII scrubbing of the Temporal SDK's logs: lead IDs carry e-mails and phones, ordinary IDs,
// timestamps and numbers do not change.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scrub, scrubText } from '../../config/scrub.js';
import { writeScrubbed } from '../../temporal/runtime.js';

describe('log scrubbing', () => {
  test('e-mail addresses and phone numbers are replaced wherever they appear', () => {
    assert.equal(scrubText('Activity failed for lead:web:email:jane.doe+x@example.co.uk now'), 'Activity failed for lead:web:email:[email] now');
    assert.equal(scrubText('lead:web:phone:+14155552671 and 415-555-2671 and (call 415.555.2671)'), 'lead:web:phone:[phone] and [phone] and (call [phone])');
    const kept = 'run 2f1e6a3c-1b2d-4e5f-8a9b-0c1d2e3f4a5b at 2026-11-23T03:13:37.427Z on port 7233, 120 leads';
    assert.equal(scrubText(kept), kept);
  });

  test('nested meta and errors are scrubbed; other values are kept', () => {
    const err = new Error('refused a@b.test');
    assert.deepEqual(scrub({ workflowId: 'lead:x:email:a@b.test', attempt: 3, nested: { list: ['+14155552671', true] }, error: err }), {
      workflowId: 'lead:x:email:[email]',
      attempt: 3,
      nested: { list: ['[phone]', true] },
      error: scrubText(err.stack ?? ''),
    });
  });

  test('SDK log entries are written as scrubbed JSON lines', () => {
    const lines: string[] = [];
    writeScrubbed(
      {
        level: 'WARN',
        message: 'Activity failed lead:x:email:a@b.test',
        meta: { workflowId: 'lead:x:email:a@b.test' },
        timestampNanos: 1_700_000_000_000_000_000n,
      },
      (l) => lines.push(l),
    );
    const parsed = JSON.parse(lines[0] ?? '') as Record<string, string>;
    assert.equal(parsed.msg, 'Activity failed lead:x:email:[email]');
    assert.equal(parsed.workflowId, 'lead:x:email:[email]');
    assert.equal(parsed.level, 'warn');
    assert.equal(parsed.time, '2023-11-14T22:13:20.000Z');
    assert.ok(!lines[0]?.includes('a@b.test'));
  });
});
