// Bytes to text. Nothing inside a CSV file says how it is encoded: spreadsheet exports are UTF-8
// (often with a BOM) or, from Excel on Windows, Windows-1252. Bytes that are valid UTF-8 are
// almost never meant as Windows-1252, so validity decides when the caller does not.
import { TextDecoder } from 'node:util';
import iconv from 'iconv-lite';
import { ProspectListError, type ProspectEncoding } from './types.js';

// Binary detection looks at the start only: a text file does not turn binary half-way, and the
// NUL check (which does run over every byte) catches the binary formats that matter.
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

/** Throws ProspectListError for input that is binary rather than text. */
class BinarySniffer {
  private offset = 0;
  private controls = 0;
  private judged = false;

  push(bytes: Uint8Array): void {
    if (this.offset === 0) {
      // The two usual wrong uploads get a message that says what to do instead.
      if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]))
        throw new ProspectListError('this is a ZIP archive (an .xlsx workbook?), not CSV or JSON: export the sheet as CSV');
      if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff]))
        throw new ProspectListError('UTF-16 text is not supported: save the list as CSV UTF-8');
    }
    const nul = bytes.indexOf(0);
    if (nul >= 0) throw new ProspectListError(`binary data, not a prospect list (a NUL byte at offset ${this.offset + nul})`);
    const window = Math.min(bytes.length, Math.max(0, SNIFF_BYTES - this.offset));
    for (let i = 0; i < window; i++) {
      const b = bytes[i] ?? 0;
      if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) this.controls++;
    }
    this.offset += bytes.length;
    if (this.offset >= SNIFF_BYTES) this.judge();
  }

  judge(): void {
    if (this.judged) return;
    this.judged = true;
    const seen = Math.min(this.offset, SNIFF_BYTES);
    if (seen > 0 && this.controls / seen > MAX_CONTROL_SHARE) throw new ProspectListError('binary data, not a prospect list (mostly control characters)');
  }
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
  const sniffer = new BinarySniffer();
  const utf8 = encoding === 'utf-8' ? new Utf8Validator() : null;
  // Validated first, so the lenient decoder never substitutes anything.
  const decoder = encoding === 'utf-8' ? new TextDecoder('utf-8') : null;
  // iconv-lite, not TextDecoder: Node's windows-1252 maps 0x80-0x9F to C1 controls (nodejs/node#56542).
  const cp1252 = encoding === 'windows-1252' ? iconv.getDecoder('windows-1252') : null;
  const notUtf8 = (offset: number, why: string) =>
    tentative ? new NotUtf8Error(why) : new ProspectListError(`not valid UTF-8: ${why} at byte offset ${offset} (use --encoding windows-1252 or auto)`);
  const bom = new BomStripper();

  for await (const bytes of chunks) {
    sniffer.push(bytes);
    if (utf8) {
      const bad = utf8.push(bytes);
      if (bad >= 0) throw notUtf8(bad, 'an invalid byte sequence');
    }
    const text = bom.push(
      decoder ? decoder.decode(bytes, { stream: true }) : (cp1252?.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) ?? ''),
    );
    if (text !== '') yield text;
  }
  sniffer.judge();
  const cut = utf8?.end() ?? -1;
  if (cut >= 0) throw notUtf8(cut, 'the input ends inside a character');
  const tail = bom.push(decoder ? decoder.decode() : (cp1252?.end() ?? '')) + bom.end();
  if (tail !== '') yield tail;
}
