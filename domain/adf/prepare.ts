// One linear pass over the decoded text before any XML library sees it. It enforces the entity
// policy, removes what fast-xml-parser must not interpret, and repairs the one producer mistake
// that is unambiguous to fix (a bare `&`). Positions are kept so errors point into the original.
import { AdfParseError, type SourcePosition } from './errors.js';

// What the validator and parser accept as a reference; any other `&` is literal text a feed
// forgot to escape ("Smith & Sons"). Mirrors XMLValidator's rule (≤ 20 word chars).
const REFERENCE = /&(?:#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z0-9_]{1,20});/y;
const MARKUP = /[<&]/g;
const ENTITY_DECL = /<!ENTITY/i;

// A handful of bare `&` is a producer slip worth repairing; thousands mean this is not XML at all
// (and each repair costs an entity decode later).
const MAX_REPAIRS = 1000;

/** A lead is ~100 elements; past this, normalising (one libphonenumber call per phone, ...) is the DoS. */
export const MAX_ADF_ELEMENTS = 10_000;

export interface PreparedXml {
  text: string;
  /** Maps a 1-based line/column in `text` (as XMLValidator reports it) back to the input. */
  originalPosition(line: number, column: number): SourcePosition;
  /** Just past the last character of the input. */
  endPosition(): SourcePosition;
}

export function positionAt(text: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let nl = text.indexOf('\n'); nl !== -1 && nl < offset; nl = text.indexOf('\n', nl + 1)) {
    line++;
    lineStart = nl + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function offsetAt(text: string, line: number, column: number): number {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', start);
    if (nl === -1) break;
    start = nl + 1;
  }
  return Math.min(start + Math.max(column - 1, 0), text.length);
}

// Blanked spans keep their length and line breaks, so every later position stays valid.
function blank(span: string): string {
  return span.replace(/[^\r\n]/g, ' ');
}

/** End index (exclusive) of a DOCTYPE starting at `start`, honouring quotes and `[...]`. */
function doctypeEnd(text: string, start: number): number {
  let quote: string | null = null;
  let depth = 0;
  for (let i = start + 9; i < text.length; i++) {
    const c = text[i];
    if (quote !== null) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === '>' && depth === 0) return i + 1;
  }
  return -1;
}

function fail(text: string, offset: number, message: string, code: 'not-xml' | 'entity-refused' = 'not-xml'): never {
  throw new AdfParseError(code, message, positionAt(text, offset));
}

function closeOf(text: string, from: number, terminator: string, what: string, start: number): number {
  const end = text.indexOf(terminator, from);
  if (end === -1) fail(text, start, `unterminated ${what}`);
  return end + terminator.length;
}

export function prepareXml(text: string): PreparedXml {
  const out: string[] = [];
  const insertions: number[] = []; // offsets in the output where "amp;" was added
  let outLength = 0;
  let copied = 0;
  let rootSeen = false;
  let elements = 0;
  const emit = (s: string): void => {
    out.push(s);
    outLength += s.length;
  };

  MARKUP.lastIndex = 0;
  for (let m = MARKUP.exec(text); m !== null; m = MARKUP.exec(text)) {
    const i = m.index;
    let next = i + 1;
    if (text[i] === '&') {
      REFERENCE.lastIndex = i;
      if (REFERENCE.test(text)) next = REFERENCE.lastIndex;
      else {
        if (insertions.length >= MAX_REPAIRS) fail(text, i, `more than ${MAX_REPAIRS} unescaped '&'`);
        emit(text.slice(copied, i + 1));
        insertions.push(outLength);
        emit('amp;');
        copied = i + 1;
      }
    } else if (text.startsWith('<![CDATA[', i)) {
      next = closeOf(text, i + 9, ']]>', 'CDATA section', i);
    } else if (text.startsWith('<!--', i)) {
      next = closeOf(text, i + 4, '-->', 'comment', i);
    } else if (text.startsWith('<?', i)) {
      next = closeOf(text, i + 2, '?>', 'processing instruction', i);
      // The XML declaration (encoding already handled) and the <?ADF ...?> PI may come in either
      // order; the validator only accepts the declaration first, so both go before it sees them.
      if (!rootSeen) {
        emit(text.slice(copied, i));
        emit(blank(text.slice(i, next)));
        copied = next;
      }
    } else if (text.slice(i, i + 9).toUpperCase() === '<!DOCTYPE') {
      next = doctypeEnd(text, i);
      if (next === -1) fail(text, i, 'unterminated DOCTYPE');
      // Entity declarations are the only way to billion-laughs or XXE; ADF needs none, so any
      // DOCTYPE declaring one is refused before a parser ever expands anything.
      const decl = ENTITY_DECL.exec(text.slice(i, next));
      if (decl) fail(text, i + decl.index, 'DOCTYPE declares entities; refused (entity expansion is not allowed)', 'entity-refused');
      if (rootSeen) fail(text, i, 'DOCTYPE is only allowed before the root element');
      // An external DTD (SYSTEM "adf.dtd") is never fetched; the declaration is dropped.
      emit(text.slice(copied, i));
      emit(blank(text.slice(i, next)));
      copied = next;
    } else if (text.startsWith('<!', i)) {
      fail(text, i, "unexpected '<!' markup (only comments, CDATA and a leading DOCTYPE are allowed)");
    } else if (text[i + 1] !== '/') {
      rootSeen = true;
      if (++elements > MAX_ADF_ELEMENTS) throw new AdfParseError('too-large', `document has more than ${MAX_ADF_ELEMENTS} elements`);
    }
    MARKUP.lastIndex = next;
  }
  emit(text.slice(copied));
  const prepared = out.join('');

  return {
    text: prepared,
    originalPosition(line, column) {
      const offset = offsetAt(prepared, line, column);
      let shift = 0;
      for (const at of insertions) {
        if (at >= offset) break;
        shift += 4;
      }
      return positionAt(text, Math.max(0, offset - shift));
    },
    endPosition: () => positionAt(text, text.length),
  };
}
