// `leadflow mail classify` as a subprocess: one JSON document and exit 0, or one line and exit 2.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ROOT, runCli } from '../helpers/cli.js';

const fixture = (name: string) => path.join(ROOT, 'tests', 'fixtures', 'mail', name);

describe('leadflow mail classify', () => {
  test('prints the classification of a reply as JSON', async () => {
    const r = await runCli(['mail', 'classify', fixture('gmail-reply-interested.eml')], {});
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(out.kind, 'reply');
    assert.equal(out.intent, 'interested');
    assert.equal(out.originalMessageId, '<3f2a9c1e5b7d4a6f8e0c2b4d6f8a0c2e@acme.test>');
    assert.equal(out.replyText, 'Yes, Saturday at 10 works for me for a test drive.\n\nJane');
  });

  test('exits 2 with one line on unreadable or missing input', async () => {
    const missing = await runCli(['mail', 'classify', fixture('nope.eml')], {});
    assert.equal(missing.code, 2);
    assert.match(missing.stderr.trim(), /^leadflow mail classify: .*nope\.eml: cannot read: ENOENT/);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
    assert.equal(missing.stdout, '');
    const notMail = await runCli(['mail', 'classify', path.join(ROOT, 'package.json')], {});
    assert.equal(notMail.code, 2);
    assert.match(notMail.stderr, /not an e-mail message/);
  });
});
