// `leadflow adf parse` as a user runs it: a real subprocess through bin/leadflow.mjs. The stdout
// contract (one JSON document or nothing) is what shell pipelines depend on.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { parseAdf } from '../../domain/adf/parse.js';
import { fixtureBytes } from '../fixtures/adf/support.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// CLI start-up (tsx + every command's imports) takes seconds, so all runs start at once.
function leadflow(args: string[], stdin?: Uint8Array): Promise<Run> {
  // Never rejects: a spawn failure becomes a failed run, so no promise is left unhandled.
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/leadflow.mjs', ...args], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    child.on('error', (err) => resolve({ code: null, stdout, stderr: `spawn failed: ${err.message}` }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const runs = {
  good: leadflow(['adf', 'parse', 'tests/fixtures/adf/trade-in-full-name.xml']),
  malformed: leadflow(['adf', 'parse', 'tests/fixtures/adf/bad-mismatched-tag.xml']),
  stdin: leadflow(['adf', 'parse', '-'], fixtureBytes('windows-1252.xml')),
  bomb: leadflow(['adf', 'parse', '-'], fixtureBytes('bad-entity-bomb.xml')),
  missing: leadflow(['adf', 'parse', 'tests/fixtures/adf/does-not-exist.xml']),
};

describe('leadflow adf parse', () => {
  test('a good file: exit 0, one compact JSON line equal to parseAdf, nothing on stderr', async () => {
    const { code, stdout, stderr } = await runs.good;
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.ok(stdout.endsWith('}\n') && stdout.indexOf('\n') === stdout.length - 1, 'exactly one line');
    assert.deepEqual(JSON.parse(stdout), parseAdf(fixtureBytes('trade-in-full-name.xml')));
  });

  test('a malformed file: exit 2, empty stdout, one stderr line with line and column', async () => {
    const { code, stdout, stderr } = await runs.malformed;
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
    assert.match(stderr, /not-xml: .*line 7, column 18/);
  });

  test('stdin (-) is read as bytes: a windows-1252 document keeps its € and quotes', async () => {
    const { code, stdout, stderr } = await runs.stdin;
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), parseAdf(fixtureBytes('windows-1252.xml')));
    assert.match(stdout, /40 000 €/);
  });

  test('refused entities on stdin and an unreadable file both exit 2 with one stderr line', async () => {
    const bomb = await runs.bomb;
    assert.deepEqual([bomb.code, bomb.stdout], [2, '']);
    assert.match(bomb.stderr, /^leadflow adf parse: stdin: entity-refused: .*line 3, column 3\)\n$/);
    const missing = await runs.missing;
    assert.deepEqual([missing.code, missing.stdout], [2, '']);
    assert.match(missing.stderr, /^leadflow adf parse: cannot read .*does-not-exist\.xml: ENOENT.*\n$/);
  });
});
