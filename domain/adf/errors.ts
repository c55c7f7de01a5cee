// The one error type parseAdf may throw. Callers (the CLI, the ingest activity) branch on `code`,
// and show `line`/`column` to whoever has to fix the feed, so both stay machine-readable.

export type AdfParseErrorCode =
  | 'not-xml' // not well-formed XML (line/column when the position is known)
  | 'not-adf' // well-formed, but not an ADF document with at least one prospect
  | 'entity-refused' // a DOCTYPE declares entities: refused outright (billion laughs, XXE)
  | 'too-large' // over MAX_ADF_BYTES; refused before any parsing work
  | 'bad-encoding' // the declared character encoding is unknown to TextDecoder
  | 'internal'; // a bug in this module; kept distinct so the fuzz test can tell it from bad input

const MAX_MESSAGE = 300;

export interface SourcePosition {
  line: number;
  column: number;
}

export class AdfParseError extends Error {
  override readonly name = 'AdfParseError';
  readonly code: AdfParseErrorCode;
  readonly line: number | null;
  readonly column: number | null;

  constructor(code: AdfParseErrorCode, message: string, position: SourcePosition | null = null) {
    // One line, always: the CLI prints the message as a single stderr line and feeds' tag names
    // (which end up in validator messages) can contain anything.
    // Capped, too: validator messages quote tag names, and a hostile document can make those
    // megabytes long (e.g. the list of every unclosed tag).
    const flat = message.replace(/\s+/g, ' ').trim();
    const oneLine = flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE - 1)}…` : flat;
    super(position ? `${oneLine} (line ${position.line}, column ${position.column})` : oneLine);
    this.code = code;
    this.line = position?.line ?? null;
    this.column = position?.column ?? null;
  }
}
