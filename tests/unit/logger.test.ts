import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../../config/logger.js';

test('personal data and secrets never reach the log output', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const log = createLogger('info', 'test', sink);
  log.info(
    { lead: { email: 'jane@example.com', phone: '+15555550100', firstName: 'Jane', payload: { comments: 'call me at 555-0100' } }, apiKey: 'sk-live' },
    'lead in',
  );
  log.info({ contact: { email: 'bob@example.com' }, password: 'hunter2', leadId: 'lead:api:1' }, 'other');
  const out = lines.join('');
  for (const secret of ['jane@example.com', '+15555550100', 'Jane', '555-0100', 'sk-live', 'bob@example.com', 'hunter2']) {
    assert.ok(!out.includes(secret), `${secret} reached the log`);
  }
  assert.match(out, /lead:api:1/, 'non-personal fields are kept');
  assert.match(out, /\[redacted\]/);
  assert.match(out, /"name":"test"/, "the logger's own name is not personal data");
});
