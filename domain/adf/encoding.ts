// Bytes to text. Feeds arrive as e-mail attachments or HTTP bodies in whatever encoding the
// dealer's CRM was set up with, so the XML declaration (or a BOM) decides, as XML 1.0 §4.3.3 says.
import { TextDecoder } from 'node:util';
import { AdfParseError } from './errors.js';

// The declaration, if any, sits within the first few hundred bytes; the ADF PI may precede it.
const SNIFF_BYTES = 1024;
// Reused: decoders without { stream: true } keep no state between calls.
const SNIFFER = new TextDecoder('latin1');
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
const LENIENT_UTF8 = new TextDecoder('utf-8');
const DECLARED = /<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']/i;

function bomEncoding(bytes: Uint8Array): { encoding: string; skip: number } | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', skip: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', skip: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', skip: 2 };
  return null;
}

function declaredLabel(bytes: Uint8Array): string | null {
  // latin1 maps every byte to one char, so ASCII-compatible declarations read correctly.
  const head = SNIFFER.decode(bytes.subarray(0, SNIFF_BYTES));
  return DECLARED.exec(head)?.[1] ?? null;
}

// WHATWG index-windows-1252 for 0x80-0x9F (elsewhere it equals ISO-8859-1). Decoded by hand
// because Node ≥ 20.18.3 / 22.13.0 maps these bytes to C1 controls (nodejs/node#56542, #60888):
// "€" would arrive as U+0080 and be stripped as a control character.
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d,
  0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

function decodeWindows1252(bytes: Uint8Array): string {
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return latin1.replace(/[\u0080-\u009f]/g, (c) => String.fromCharCode(CP1252_HIGH[c.charCodeAt(0) - 0x80] ?? c.charCodeAt(0)));
}

function decoderFor(label: string, fatal: boolean): TextDecoder | null {
  try {
    return new TextDecoder(label, { fatal });
  } catch {
    return null; // RangeError: a label the WHATWG encoding list does not know
  }
}

// Lone UTF-16 surrogates can only come from string input (TextDecoder never makes them); they
// would turn into U+FFFD somewhere downstream anyway, so it happens here, once, visibly.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Decodes feed bytes to a string without a BOM. Strings are taken as already decoded. */
export function decodeInput(input: string | Uint8Array): string {
  if (typeof input === 'string') {
    const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
    return text.replace(LONE_SURROGATE, '\ufffd');
  }

  const bom = bomEncoding(input);
  if (bom) return new TextDecoder(bom.encoding).decode(input.subarray(bom.skip));

  const label = declaredLabel(input);
  if (label !== null) {
    const decoder = decoderFor(label, false);
    if (!decoder) throw new AdfParseError('bad-encoding', `unsupported encoding "${label}" in the XML declaration`);
    // A declaration we could read as ASCII cannot be UTF-16 without a BOM: the producer copied a
    // template. Treat it as the ASCII-compatible default instead of decoding garbage.
    if (decoder.encoding.startsWith('utf-16')) return LENIENT_UTF8.decode(input);
    // ISO-8859-1, latin1 and ASCII are windows-1252 in WHATWG terms: a superset that gives
    // 0x80-0x9F printable meaning, which is what Windows CRMs mean by "ISO-8859-1".
    if (decoder.encoding === 'windows-1252') return decodeWindows1252(input);
    // Any other declared encoding is the producer's statement: honour it, U+FFFD for bad bytes.
    return decoder.decode(input);
  }

  // Nothing declared: UTF-8 is the XML default. Feeds that omit the declaration but were written
  // by a Windows CRM are not valid UTF-8; windows-1252 then keeps "José" instead of "Jos\uFFFD".
  try {
    return STRICT_UTF8.decode(input);
  } catch {
    return decodeWindows1252(input);
  }
}
