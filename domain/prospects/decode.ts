// Bytes to text. Nothing inside a CSV file says how it is encoded: spreadsheet exports are UTF-8
// (often with a BOM) or, from Excel on Windows, Windows-1252. Bytes that are valid UTF-8 are
// almost never meant as Windows-1252, so validity decides when the caller does not.
import { TextDecoder } from 'node:util';
import iconv from 'iconv-lite';
import { ProspectListError, type ProspectEncoding } from './types.js';

// Control characters are counted at the start only: a text file does not turn binary half-way,
// and the NUL check (which does run over every byte) catches the binary formats that matter.
const SNIFF_BYTES = 64 * 1024;
// Text has next to no C0 controls besides tab and newlines; Excel on a Mac writes the odd
// vertical tab for a line break inside a cell, so a few are tolerated.
const MAX_CONTROL_SHARE = 0.1;

/** Tentative UTF-8 met a byte that is not UTF-8: the caller reads the list again as Windows-1252. */
export class NotUtf8Error extends Error {
  override readonly name = 'NotUtf8Error';
}

/**
 * Streaming UTF-8 validation with the position of the first bad sequence (TextDecoder's fatal
 * mode says only that there is one). Same rules as the WHATWG decoder: no overlongs, no
 * surrogates, nothing above U+10FFFF.
 */
export class Utf8Validator {
  private offset = 0;
  private need = 0;
  private lo = 0x80;
  private hi = 0xbf;
  private start = 0;

  /** The offset of the first invalid sequence's first byte, or -1. */
  push(bytes: Uint8Array): number {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i] ?? 0;
      if (this.need === 0) {
        if (b < 0x80) continue;
        this.start = this.offset + i;
        if (b >= 0xc2 && b <= 0xdf) this.need = 1;
        else if (b >= 0xe0 && b <= 0xef) [this.need, this.lo, this.hi] = [2, b === 0xe0 ? 0xa0 : 0x80, b === 0xed ? 0x9f : 0xbf];
        else if (b >= 0xf0 && b <= 0xf4) [this.need, this.lo, this.hi] = [3, b === 0xf0 ? 0x90 : 0x80, b === 0xf4 ? 0x8f : 0xbf];
        else return this.start;
      } else {
        if (b < this.lo || b > this.hi) return this.start;
        [this.need, this.lo, this.hi] = [this.need - 1, 0x80, 0xbf];
      }
    }
    this.offset += bytes.length;
    return -1;
  }

  /** The offset of a sequence the input ends in the middle of, or -1. */
  end(): number {
    return this.need > 0 ? this.start : -1;
  }
}

/** True when every byte of `bytes` is UTF-8. */
export function isUtf8(bytes: Uint8Array): boolean {
  const v = new Utf8Validator();
  return v.push(bytes) < 0 && v.end() < 0;
}

const startsWith = (bytes: Uint8Array, prefix: number[]) => prefix.every((b, i) => bytes[i] === b);

/** Throws ProspectListError when the start of the input shows it is not text. */
function sniffHead(head: Uint8Array): void {
  // The two usual wrong uploads get a message that says what to do instead.
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]))
    throw new ProspectListError('this is a ZIP archive (an .xlsx workbook?), not CSV or JSON: export the sheet as CSV');
  if (startsWith(head, [0xff, 0xfe]) || startsWith(head, [0xfe, 0xff])) throw new ProspectListError('UTF-16 text is not supported: save the list as CSV UTF-8');
  let controls = 0;
  const window = Math.min(head.length, SNIFF_BYTES);
  for (let i = 0; i < window; i++) {
    const b = head[i] ?? 0;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) controls++;
  }
  if (window > 0 && controls / window > MAX_CONTROL_SHARE) throw new ProspectListError('binary data, not a prospect list (mostly control characters)');
}

/**
 * The first SNIFF_BYTES (or the whole input) as one chunk, then the rest as it comes: the head is
 * judged before any of it is decoded, so how a stream happens to be chunked does not change which
 * problem a short file is refused for.
 */
async function* withWholeHead(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let head: Uint8Array[] | null = [];
  let length = 0;
  for await (const bytes of chunks) {
    if (head === null) {
      yield bytes;
      continue;
    }
    head.push(bytes);
    length += bytes.length;
    if (length >= SNIFF_BYTES) {
      yield Buffer.concat(head);
      head = null;
    }
  }
  if (head !== null && length > 0) yield Buffer.concat(head);
}

const BOM = /^(?:\uFEFF|\u00EF\u00BB\u00BF)/; // the UTF-8 BOM, decoded as UTF-8 or as Windows-1252

/** Drops a leading BOM; holds text back until three characters are in, so a split BOM is seen whole. */
class BomStripper {
  private head: string | null = '';

  push(text: string): string {
    if (this.head === null) return text;
    this.head += text;
    return this.head.length < 3 ? '' : this.end();
  }

  end(): string {
    const out = this.head?.replace(BOM, '') ?? '';
    this.head = null;
    return out;
  }
}

/**
 * The text of `chunks` in `encoding`, without a BOM. Invalid UTF-8 is a ProspectListError naming
 * the offset, or with `tentative` a NotUtf8Error (the caller then knows the file is not UTF-8).
 */
export async function* decodeChunks(chunks: AsyncIterable<Uint8Array>, encoding: ProspectEncoding, tentative = false): AsyncGenerator<string> {
  const utf8 = encoding === 'utf-8' ? new Utf8Validator() : null;
  // Validated first, so the lenient decoder never substitutes anything.
  const decoder = encoding === 'utf-8' ? new TextDecoder('utf-8') : null;
  // iconv-lite, not TextDecoder: Node's windows-1252 maps 0x80-0x9F to C1 controls (nodejs/node#56542).
  const cp1252 = encoding === 'windows-1252' ? iconv.getDecoder('windows-1252') : null;
  const notUtf8 = (offset: number, why: string) =>
    tentative ? new NotUtf8Error(why) : new ProspectListError(`not valid UTF-8: ${why} at byte offset ${offset} (is the file Windows-1252?)`);
  const bom = new BomStripper();

  let offset = 0;
  for await (const bytes of withWholeHead(chunks)) {
    if (offset === 0) sniffHead(bytes);
    // Whichever comes first in the file is what it is refused for.
    const nul = bytes.indexOf(0);
    const bad = utf8?.push(bytes) ?? -1;
    if (nul >= 0 && (bad < 0 || offset + nul < bad)) throw new ProspectListError(`binary data, not a prospect list (a NUL byte at offset ${offset + nul})`);
    if (bad >= 0) throw notUtf8(bad, 'an invalid byte sequence');
    offset += bytes.length;
    const text = bom.push(
      decoder ? decoder.decode(bytes, { stream: true }) : (cp1252?.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) ?? ''),
    );
    if (text !== '') yield text;
  }
  const cut = utf8?.end() ?? -1;
  if (cut >= 0) throw notUtf8(cut, 'the input ends inside a character');
  const tail = bom.push(decoder ? decoder.decode() : (cp1252?.end() ?? '')) + bom.end();
  if (tail !== '') yield tail;
}
