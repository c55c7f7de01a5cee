// `leadflow prospects check` as a user runs it: a real subprocess through bin/leadflow.mjs, with
// provider settings pointing at closed ports: the command must need no server, database or
// configuration. stdout is one JSON document (exit 0) or nothing (exit 2, one stderr line).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';

const CLI = fileURLToPath(new URL('../../bin/leadflow.mjs', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-prospects-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const files: Record<string, string | Buffer> = {
  'list.csv': 'Email;First Name;Phone\nann@example.com;Ann;\n\nbad@;Bo;\n;Cy;(201) 555-0123\nANN@example.com ;Ann again;\n',
  'win.csv': Buffer.concat([Buffer.from('e-mail,first_name\njose@example.com,Jos'), Buffer.from([0xe9]), Buffer.from('\n')]),
  'list.json': JSON.stringify({ prospects: [{ work: 'a@example.com' }, { work: 'b@' }] }),
  'mapping.json': JSON.stringify({ work: 'email' }),
  'bad-mapping.json': JSON.stringify({ mail: 'email' }),
  'empty.csv': '',
  'binary.csv': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]),
  'no-header.csv': 'ann@example.com,Ann\nbo@example.com,Bo\n',
};
for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// The provider variables a misbehaving command would try to use, pointed at closed ports.
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|TEMPORAL_|API_|IMAP_|SMTP_|SENDGRID_|TWILIO_|OPENAI_)/.test(k))),
  DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nothing',
  TEMPORAL_ADDRESS: '127.0.0.1:1',
};

// CLI start-up takes a while, so all runs start at once. Never rejects: a spawn failure is a failed run.
function leadflow(args: string[], stdin?: Uint8Array): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'prospects', 'check', ...args], { cwd: dir, env, stdio: 'pipe', timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', (err) => resolve({ code: null, stdout, stderr: `spawn failed: ${err.message}` }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const runs = {
  csv: leadflow(['list.csv']),
  stdin: leadflow(['-'], Buffer.from(files['win.csv'] ?? '')),
  json: leadflow(['list.json', '--mapping', 'mapping.json']),
  utf8: leadflow(['win.csv', '--encoding', 'utf-8']),
  empty: leadflow(['empty.csv']),
  binary: leadflow(['binary.csv']),
  noHeader: leadflow(['no-header.csv']),
  missing: leadflow(['missing.csv']),
  badMapping: leadflow(['list.json', '--mapping', 'bad-mapping.json']),
};

const oneDocument = ({ code, stdout, stderr }: Run): unknown => {
  assert.equal(stderr, '');
  assert.equal(code, 0);
  assert.ok(stdout.endsWith('\n') && stdout.indexOf('\n') === stdout.length - 1, 'exactly one line');
  return JSON.parse(stdout);
};

describe('leadflow prospects check', () => {
  test('a list with bad rows: exit 0, one JSON document with counts and every problem', async () => {
    assert.deepEqual(oneDocument(await runs.csv), {
      rows: 4,
      valid: 2,
      invalid: [
        { row: 4, field: 'email', reason: 'not a valid e-mail address' },
        { row: 6, field: 'email', reason: 'duplicate of row 2' },
      ],
    });
  });

  test('stdin (-) is read as bytes: Windows-1252 is detected', async () => {
    assert.deepEqual(oneDocument(await runs.stdin), { rows: 1, valid: 1, invalid: [] });
  });

  test('JSON lists and --mapping', async () => {
    assert.deepEqual(oneDocument(await runs.json), { rows: 2, valid: 1, invalid: [{ row: 3, field: 'email', reason: 'not a valid e-mail address' }] });
  });

  test('not a prospect list: exit 2, nothing on stdout, one stderr line saying why', async () => {
    const expected: Array<[keyof typeof runs, RegExp]> = [
      ['utf8', /^leadflow prospects check: win\.csv: not valid UTF-8: .* at byte offset 38 /],
      ['empty', /^leadflow prospects check: empty\.csv: the file is empty/],
      ['binary', /^leadflow prospects check: binary\.csv: binary data, not a prospect list \(/],
      ['noHeader', /^leadflow prospects check: no-header\.csv: no header row: row 1 holds an e-mail address/],
      ['missing', /^leadflow prospects check: missing\.csv: cannot read: ENOENT/],
      ['badMapping', /^leadflow prospects check: list\.json: mapping names column "mail", which the header does not have/],
    ];
    for (const [name, message] of expected) {
      const { code, stdout, stderr } = await runs[name];
      assert.deepEqual([code, stdout], [2, ''], `${name}: ${stderr}`);
      assert.match(stderr, message, name);
      assert.equal(stderr.trimEnd().split('\n').length, 1, `${name}: one line`);
    }
  });
});
