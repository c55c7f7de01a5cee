// The prospect-list contract shared by the import API (POST /campaigns/:id/prospects) and
// `leadflow prospects check`: what a checked list looks like, and the one error that means
// "this is not a prospect list at all" (as opposed to a list with bad rows).

export type ProspectEncoding = 'utf-8' | 'windows-1252';
export type ProspectFormat = 'csv' | 'json';

/** The prospect attributes a column can feed; anything else is a custom field. */
export const STANDARD_FIELDS = ['email', 'phone', 'firstName', 'lastName', 'company', 'timeZone'] as const;
export type StandardField = (typeof STANDARD_FIELDS)[number];
/** Where a column's values go: a standard field, or `fields.<name>` (a custom field). */
export type ColumnTarget = StandardField | `fields.${string}`;
/** Header column (as it appears, trimmed) → target; null drops the column. */
export type ProspectMapping = Record<string, string | null>;

export interface ProspectRecord {
  /** The row number a spreadsheet shows: the header is row 1, the first data row 2. */
  row: number;
  /** As given, trimmed. */
  email: string | null;
  /** Trimmed and lower-cased: the key duplicates are found by. */
  emailNorm: string | null;
  /** E.164. */
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  /** The recipient's IANA zone, canonical (`America/Chicago`), when a column gave one: windows apply in it. */
  timeZone?: string;
  /** The other columns, under their header text (or mapped name); blank values are left out. */
  fields: Record<string, string>;
}

export interface ProspectProblem {
  row: number;
  /** `email`, `phone`, `timeZone`, `row` (the row's shape), or a JSON key holding a non-text value. */
  field: string;
  reason: string;
}

export interface ProspectCheck {
  /** Data rows read; blank rows are not counted. */
  rows: number;
  valid: ProspectRecord[];
  /** At most one problem per row, ordered by row. */
  invalid: ProspectProblem[];
  /** The header as read (trimmed), or for JSON every key in first-seen order. */
  columns: string[];
  encoding: ProspectEncoding;
}

export interface CheckProspectsOptions {
  /** `auto` (default): JSON when the text starts with `[` or `{`, else CSV. */
  format?: ProspectFormat | 'auto';
  mapping?: ProspectMapping;
  /** ISO 3166 region national phone numbers are read in; default US. */
  region?: string;
  /** `auto` (default): UTF-8 when every byte is valid UTF-8, else Windows-1252. */
  encoding?: ProspectEncoding | 'auto';
  /** More data rows than this fails the whole list; default DEFAULT_MAX_ROWS. */
  maxRows?: number;
}

export const DEFAULT_MAX_ROWS = 200_000;

const MAX_MESSAGE = 300;

/**
 * The input cannot be read as a prospect list at all (empty, binary, not UTF-8 when told so, no
 * header, bad mapping, too many rows). The message is one line, meant for whoever uploaded the
 * file: the API answers it as a 400 and the CLI prints it and exits 2.
 */
export class ProspectListError extends Error {
  override readonly name = 'ProspectListError';

  constructor(message: string) {
    // Header text and JSON parser messages end up in here: keep it one line and bounded.
    const flat = message.replace(/\s+/g, ' ').trim();
    super(flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE - 1)}…` : flat);
  }
}
