// The prospect-list check: bytes in (a Buffer, or a stream of chunks), validated records and one
// problem per bad row out, or a ProspectListError when the input is not a prospect list at all.
// Shared by the import API and `leadflow prospects check`, so both judge a file the same way.
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';
import { readCsv } from './csv.js';
import { decodeChunks, isUtf8, NotUtf8Error, Utf8Validator } from './decode.js';
import { readJson } from './json.js';
import { ProspectCollector } from './rows.js';
import { DEFAULT_MAX_ROWS, ProspectListError, type CheckProspectsOptions, type ProspectCheck, type ProspectEncoding } from './types.js';

export { validateMapping } from './columns.js';
export * from './types.js';

// Buffers are handed to the parser in slices, so a large upload is parsed as it would be streamed.
const SLICE = 64 * 1024;

async function* slices(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += SLICE) yield bytes.subarray(i, i + SLICE);
}

/**
 * A one-pass byte stream that can be read again from the start. Only `auto` encoding needs that:
 * one invalid byte near the end makes the whole file Windows-1252, so every chunk is kept until
 * the end (the callers cap the bytes). Iterated by hand: a consumer that stops early must not
 * close the source, which a later pass still reads.
 */
class ByteSource {
  private readonly kept: Uint8Array[] = [];
  private readonly it: AsyncIterator<Uint8Array>;
  private done = false;

  constructor(
    input: AsyncIterable<Uint8Array>,
    private readonly keep: boolean,
  ) {
    this.it = input[Symbol.asyncIterator]();
  }

  /** The bytes from the start: the kept ones, then the rest of the source (kept too, if keeping). */
  async *read(): AsyncGenerator<Uint8Array> {
    for (let i = 0; ;) {
      const kept = this.kept[i];
      if (kept !== undefined) {
        i++;
        yield kept;
        continue;
      }
      if (this.done) return;
      const r = await this.it.next();
      if (r.done === true) {
        this.done = true;
        return;
      }
      if (this.keep) i = this.kept.push(r.value);
      yield r.value;
    }
  }

  /** Reads the rest (kept) and tells whether every byte from the start is UTF-8. */
  async isUtf8(): Promise<boolean> {
    const v = new Utf8Validator();
    for await (const chunk of this.read()) if (v.push(chunk) >= 0) return false;
    return v.end() < 0;
  }

  /** Releases the source (a Node stream is destroyed) when a pass stopped before its end. */
  async close(): Promise<void> {
    if (!this.done) await this.it.return?.();
  }
}

interface Resolved {
  format: 'csv' | 'json' | 'auto';
  mapping: CheckProspectsOptions['mapping'];
  region: CountryCode;
  maxRows: number;
}

function resolve(opts: CheckProspectsOptions): Resolved {
  const region = (opts.region ?? 'US').trim().toUpperCase();
  if (!isSupportedCountry(region)) throw new ProspectListError(`unknown region "${opts.region}" (an ISO 3166 code such as US or GB)`);
  const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
  if (!Number.isInteger(maxRows) || maxRows < 0) throw new RangeError(`maxRows must be a non-negative integer, not ${maxRows}`);
  return { format: opts.format ?? 'auto', mapping: opts.mapping, region, maxRows };
}

async function checkText(chunks: AsyncIterable<Uint8Array>, encoding: ProspectEncoding, tentative: boolean, o: Resolved): Promise<ProspectCheck> {
  const text = decodeChunks(chunks, encoding, tentative)[Symbol.asyncIterator]();
  let head = '';
  while (head.trim() === '') {
    const r = await text.next();
    if (r.done === true) throw new ProspectListError('the file is empty (no header, no rows)');
    head += r.value;
  }
  const format = o.format !== 'auto' ? o.format : /^\s*[[{]/.test(head) ? 'json' : 'csv';
  const rest = (async function* () {
    yield head;
    for (let r = await text.next(); r.done !== true; r = await text.next()) yield r.value;
  })();
  const collector = new ProspectCollector(o.region, o.maxRows);
  const columns = format === 'json' ? await readJson(rest, collector, o.mapping) : await readCsv(rest, collector, o.mapping);
  return { rows: collector.rows, valid: collector.valid, invalid: collector.invalid, columns, encoding };
}

/**
 * Checks a prospect list. `row` numbers are a spreadsheet's (header = row 1); blank CSV lines
 * take a row number but are not rows. Throws ProspectListError when the input is not a prospect
 * list; anything else thrown is a bug or the input stream's own error.
 */
export async function checkProspects(input: Uint8Array | AsyncIterable<Uint8Array>, opts: CheckProspectsOptions = {}): Promise<ProspectCheck> {
  const o = resolve(opts);
  const declared = opts.encoding ?? 'auto';
  if (declared !== 'auto' && declared !== 'utf-8' && declared !== 'windows-1252') throw new ProspectListError(`unknown encoding "${String(declared)}"`);
  if (input instanceof Uint8Array) {
    const encoding = declared !== 'auto' ? declared : isUtf8(input) ? 'utf-8' : 'windows-1252';
    return checkText(slices(input), encoding, false, o);
  }
  const source = new ByteSource(input, declared === 'auto');
  try {
    if (declared !== 'auto') return await checkText(source.read(), declared, false, o);
    try {
      return await checkText(source.read(), 'utf-8', true, o);
    } catch (err) {
      // A list refused before its first non-UTF-8 byte was read may read differently as
      // Windows-1252 (a header cell, say): a stream is judged exactly as the same bytes in a Buffer.
      const otherEncoding = err instanceof NotUtf8Error || (err instanceof ProspectListError && !(await source.isUtf8()));
      if (!otherEncoding) throw err;
      return await checkText(source.read(), 'windows-1252', false, o);
    }
  } finally {
    await source.close();
  }
}
