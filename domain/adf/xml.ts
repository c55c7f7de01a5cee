// fast-xml-parser, configured once for ADF, plus the few accessors normalisation needs. Every
// element becomes an array of objects, so a duplicated or missing tag can change counts but
// never the shape the normaliser walks.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AdfParseError } from './errors.js';
import type { PreparedXml } from './prepare.js';

export type XNode = { readonly [key: string]: unknown };

const TEXT = '#text';
const ATTR = '@_';
// The parser refuses these names outright; renaming keeps an odd extra element non-fatal.
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);
const lowerName = (name: string): string => {
  const lower = name.toLowerCase();
  return RESERVED.has(lower) ? `x-${lower}` : lower;
};

// Named references worth decoding: XML's five plus what HTML-minded CRMs paste into comments.
const NAMED: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  copy: '©',
  reg: '®',
  trade: '™',
  euro: '€',
  pound: '£',
  cent: '¢',
  deg: '°',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  bull: '•',
};
const REFERENCE = /&(#[0-9]{1,8}|#x[0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{0,19});/g;

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

function decodeReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(REFERENCE, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return isXmlChar(cp) ? String.fromCodePoint(cp) : ''; // &#0; and friends carry nothing
    }
    return Object.hasOwn(NAMED, ref) ? (NAMED[ref] ?? whole) : whole; // unknown: literal text
  });
}

// Our own decoder instead of the library's: fast-xml-parser 5.12 leaves numeric references
// (&#233;) undecoded unless htmlEntities is on, and DOCTYPE entities never get this far anyway.
const entityDecoder = {
  setExternalEntities: (): void => undefined,
  addInputEntities: (): void => undefined,
  reset: (): void => undefined,
  setXmlVersion: (): void => undefined,
  decode: decodeReferences,
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: ATTR,
  textNodeName: TEXT,
  alwaysCreateTextNode: true,
  parseTagValue: false, // phones, ZIPs and stock numbers must stay strings
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  transformTagName: lowerName,
  transformAttributeName: lowerName,
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
  entityDecoder,
  jPath: false,
});

/** Validates (for line/column) and parses prepared text; returns the root element's name and node. */
export function parseTree(prepared: PreparedXml): { rootName: string; root: XNode } {
  const verdict = XMLValidator.validate(prepared.text);
  if (verdict !== true) {
    // A truncated feed (a common real failure) gets "Invalid '["adf","prospect"]' found." at
    // line 1, column 1 from the validator; the useful place to point at is the end.
    if (verdict.err.msg.startsWith("Invalid '[")) {
      const open = [...verdict.err.msg.matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? '');
      throw new AdfParseError(
        'not-xml',
        `not well-formed XML: document ends inside <${open.at(-1) ?? '?'}> (unclosed: ${open.join(' > ')})`,
        prepared.endPosition(),
      );
    }
    // Some verdicts ("Start tag expected.") carry a line but no column despite the typings.
    const { line, col } = verdict.err as { line: unknown; col: unknown };
    const known = Number.isInteger(line) && Number.isInteger(col);
    throw new AdfParseError('not-xml', `not well-formed XML: ${verdict.err.msg}`, known ? prepared.originalPosition(line as number, col as number) : null);
  }
  let tree: unknown;
  try {
    tree = parser.parse(prepared.text);
  } catch (err) {
    throw new AdfParseError('not-xml', `not well-formed XML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const rootName = tree !== null && typeof tree === 'object' ? Object.keys(tree)[0] : undefined;
  if (rootName === undefined) throw new AdfParseError('not-xml', 'not well-formed XML: no root element');
  return { rootName, root: kids(tree as XNode, rootName)[0] ?? {} };
}

function asNode(value: unknown): XNode | null {
  if (typeof value === 'string') return { [TEXT]: value };
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as XNode;
  return null;
}

/** All child elements called `name` (lower-case), in document order. */
export function kids(node: XNode | null | undefined, name: string): XNode[] {
  if (!node || !Object.hasOwn(node, name)) return [];
  const value = node[name];
  const list: unknown[] = Array.isArray(value) ? value : [value];
  return list.map(asNode).filter((n): n is XNode => n !== null);
}

export function kid(node: XNode | null | undefined, name: string): XNode | null {
  return kids(node, name)[0] ?? null;
}

/** The element's own character data (CDATA included), untrimmed beyond the parser's trim. */
export function textOf(node: XNode | null | undefined): string {
  if (!node || !Object.hasOwn(node, TEXT)) return '';
  const value = node[TEXT];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

export function attrOf(node: XNode | null | undefined, name: string): string | null {
  const key = ATTR + name;
  if (!node || !Object.hasOwn(node, key)) return null;
  const value = node[key];
  return typeof value === 'string' ? value : null;
}

/** Whether the element carries child elements (as opposed to only text and attributes). */
export function hasChildElements(node: XNode | null | undefined): boolean {
  return node !== null && node !== undefined && Object.keys(node).some((k) => k !== TEXT && !k.startsWith(ATTR));
}
