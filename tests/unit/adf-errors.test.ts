// Bad input: every failure is an AdfParseError with a code (and a position where one exists),
// entity tricks are refused before any expansion, and size is capped before any work.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { AdfParseError, MAX_ADF_BYTES, MAX_ADF_ELEMENTS, parseAdf } from '../../domain/adf/parse.js';
import { fixtureBytes } from '../fixtures/adf/support.js';

function parseError(input: string | Uint8Array): AdfParseError {
  try {
    parseAdf(input);
  } catch (err) {
    assert.ok(err instanceof AdfParseError, `expected AdfParseError, got ${String(err)}`);
    return err;
  }
  assert.fail('parseAdf accepted the input');
}

/** The CPU `fn` costs this process, in ms: the bound is on work done, which wall time under a
 *  loaded test run (another file, the servers) would blur with time spent waiting for a core. */
function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = process.cpuUsage();
  const value = fn();
  const used = process.cpuUsage(start);
  return { value, ms: (used.user + used.system) / 1000 };
}

describe('ADF errors', () => {
  test('mismatched tag: not-xml at the closing tag', () => {
    const err = parseError(fixtureBytes('bad-mismatched-tag.xml'));
    assert.deepEqual([err.code, err.line, err.column], ['not-xml', 7, 18]);
    assert.match(err.message, /make.*model.*line 7, column 18/);
  });

  test('positions point into the original text even after stray & were repaired before them', () => {
    const xml = '<adf>\n<prospect><comments>A & B && C</comment></prospect></adf>';
    const err = parseError(xml);
    assert.equal(err.code, 'not-xml');
    assert.deepEqual([err.line, err.column], [2, xml.split('\n')[1]!.indexOf('</comment>') + 1]);
  });

  test('a truncated document points at its end and names the unclosed elements', () => {
    const xml = fixtureBytes('standard.xml').toString('utf8');
    const cut = xml.slice(0, xml.indexOf('<comments>Is the'));
    const err = parseError(cut);
    assert.equal(err.code, 'not-xml');
    assert.match(err.message, /document ends inside <customer> \(unclosed: adf > prospect > customer\)/);
    const lines = cut.split('\n');
    assert.deepEqual([err.line, err.column], [lines.length, (lines.at(-1)?.length ?? 0) + 1]);
  });

  test('an RSS document is not-adf; so is an <adf> with no prospect', () => {
    const rss = parseError(fixtureBytes('bad-rss.xml'));
    assert.equal(rss.code, 'not-adf');
    assert.match(rss.message, /<rss>/);
    const empty = parseError(fixtureBytes('bad-no-prospect.xml'));
    assert.equal(empty.code, 'not-adf');
    assert.match(empty.message, /no <prospect>/);
  });

  test('billion laughs is refused within a second and without memory growth', () => {
    const before = process.memoryUsage().heapUsed;
    const { value: err, ms } = timed(() => parseError(fixtureBytes('bad-entity-bomb.xml')));
    assert.deepEqual([err.code, err.line, err.column], ['entity-refused', 3, 3]);
    assert.ok(ms < 1000, `took ${ms} ms`);
    // A deeper bomb padded to near the size cap costs one linear scan, nothing more.
    const levels = Array.from({ length: 30 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(50)}">`).join('\n');
    const padding = ' '.repeat(MAX_ADF_BYTES - 100_000);
    const big = `<?xml version="1.0"?>\n<!DOCTYPE adf [<!ENTITY l0 "lol">\n${levels}]>${padding}<adf><prospect><customer><comments>&l30;</comments></customer></prospect></adf>`;
    const bigResult = timed(() => parseError(big));
    assert.equal(bigResult.value.code, 'entity-refused');
    assert.ok(bigResult.ms < 1000, `took ${bigResult.ms} ms`);
    assert.ok(process.memoryUsage().heapUsed - before < 64 * 1024 * 1024, 'heap grew by more than 64 MB');
  });

  test('XXE: external entities are refused and /etc/passwd never appears', () => {
    const passwd = fs.existsSync('/etc/passwd') ? (fs.readFileSync('/etc/passwd', 'utf8').split('\n')[0] ?? 'root:') : 'root:';
    const err = parseError(fixtureBytes('bad-xxe.xml'));
    assert.deepEqual([err.code, err.line, err.column], ['entity-refused', 3, 3]);
    assert.ok(!err.message.includes(passwd));
    for (const variant of [
      '<!DOCTYPE adf [<!ENTITY % remote SYSTEM "file:///etc/passwd"> %remote;]><adf><prospect/></adf>',
      '<!doctype adf [<!entity xxe SYSTEM "file:///etc/passwd">]><adf><prospect/></adf>',
      '<adf><prospect/></adf><!DOCTYPE adf [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    ])
      assert.equal(parseError(variant).code, 'entity-refused', variant);
    // An external DTD alone is ignored, never fetched: the reference stays literal text.
    const doc = parseAdf('<!DOCTYPE adf SYSTEM "file:///etc/passwd"><adf><prospect><customer><comments>&xxe; here</comments></customer></prospect></adf>');
    assert.equal(doc.prospects[0]?.customer.comments, '&xxe; here');
    assert.ok(!JSON.stringify(doc).includes(passwd));
  });

  test('a DOCTYPE after the root element, stray <! markup and unterminated sections are not-xml with positions', () => {
    const late = parseError('<adf>\n  <!DOCTYPE adf>\n<prospect/></adf>');
    assert.deepEqual([late.code, late.line, late.column], ['not-xml', 2, 3]);
    const cdata = parseError('<adf><prospect><customer>\n<comments><![CDATA[never closed</comments>');
    assert.deepEqual([cdata.code, cdata.line, cdata.column], ['not-xml', 2, 11]);
    assert.equal(parseError('<adf><!ELEMENT x ANY><prospect/></adf>').code, 'not-xml');
  });

  test('documents over the size cap are refused before parsing, as bytes and as text', () => {
    const huge = Buffer.alloc(MAX_ADF_BYTES + 1, 0x20);
    const { value: err, ms } = timed(() => parseError(huge));
    assert.equal(err.code, 'too-large');
    assert.ok(ms < 200, `took ${ms} ms`);
    assert.equal(parseError('é'.repeat(MAX_ADF_BYTES / 2 + 1)).code, 'too-large'); // 2 bytes each in UTF-8
  });

  test('element and repair caps bound the work a small hostile document can cause', () => {
    const phones = (n: number) => `<adf><prospect><customer><contact>${'<phone>(313) 555-0142</phone>'.repeat(n)}</contact></customer></prospect></adf>`;
    assert.equal(parseAdf(phones(MAX_ADF_ELEMENTS - 10)).prospects[0]?.customer.phones.length, MAX_ADF_ELEMENTS - 10);
    const { value: err, ms } = timed(() => parseError(phones(MAX_ADF_ELEMENTS)));
    assert.equal(err.code, 'too-large');
    assert.ok(ms < 100, `took ${ms} ms`);
    const amps = parseError(`<adf><prospect><customer><comments>${'& '.repeat(5000)}</comments></customer></prospect></adf>`);
    assert.deepEqual([amps.code, amps.line], ['not-xml', 1]);
    assert.match(amps.message, /unescaped '&'/);
  });

  test('empty input, plain text, unknown encodings and non-string input are AdfParseErrors', () => {
    assert.equal(parseError('').code, 'not-xml');
    assert.equal(parseError('hello, I would like a quote').code, 'not-xml');
    assert.equal(parseError(Buffer.from('<?xml version="1.0" encoding="x-klingon"?><adf><prospect/></adf>')).code, 'bad-encoding');
    assert.equal(parseError(42 as unknown as string).code, 'not-xml');
    assert.equal(parseError(null as unknown as string).code, 'not-xml');
  });

  test('a tag named like a prototype property is tolerated as an unknown element', () => {
    const doc = parseAdf(
      '<adf><prospect><__proto__>x</__proto__><constructor/><customer><contact><name part="full">Ok</name></contact></customer></prospect></adf>',
    );
    assert.equal(doc.prospects[0]?.customer.fullName, 'Ok');
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });
});
