// CSV prospect lists, streamed through csv-parse. Row numbers are the ones a spreadsheet shows
// the uploader: one per record (a quoted line break stays inside its row), blank lines included,
// since a spreadsheet shows them as empty rows and the uploader will count them.
import { pipeline } from 'node:stream/promises';
import { parse, type CsvError } from 'csv-parse';
import { isHeaderless, planColumns } from './columns.js';
import type { ProspectCollector } from './rows.js';
import { ProspectListError, type ColumnTarget, type ProspectMapping } from './types.js';

// No prospect row is this long: a record that grows past it is an unclosed quote eating the file.
const MAX_RECORD_CHARS = 1024 * 1024;

/** What decides the delimiter: the first non-blank line, read up to its end outside quotes. */
class HeaderLineScanner {
  private quoted = false;
  private started = false;
  private semicolons = 0;
  private commas = 0;
  done = false;

  push(text: string): void {
    for (const c of text) {
      if (!this.started) {
        if (/\s/.test(c)) continue;
        this.started = true;
      }
      if (c === '"') this.quoted = !this.quoted;
      else if (this.quoted) continue;
      else if (c === ';') this.semicolons++;
      else if (c === ',') this.commas++;
      else if (c === '\n' || c === '\r') {
        this.done = true;
        return;
      }
    }
  }

  /** `;` when the header has more of them than commas (European Excel), else `,`. */
  get delimiter(): ',' | ';' {
    return this.semicolons > this.commas ? ';' : ',';
  }
}

async function* prepend(head: string, rest: AsyncIterator<string>): AsyncGenerator<string> {
  if (head !== '') yield head;
  for (let r = await rest.next(); r.done !== true; r = await rest.next()) yield r.value;
}

// Holds the parse state the csv-parse callbacks and the record consumer share.
class CsvReader {
  // Records parsed so far (blank ones too), in parse order: the row a skipped record would have.
  private parsed = 0;
  // Records consumed so far: the consumer's own count, as it runs behind the parser.
  private consumed = 0;
  private fatal: ProspectListError | null = null;
  private columns: string[] | null = null;
  private plan: Array<ColumnTarget | null> = [];

  constructor(
    private readonly collector: ProspectCollector,
    private readonly mapping: ProspectMapping | undefined,
  ) {}

  onRecord(record: string[]): string[] {
    this.parsed++;
    return record;
  }

  // With relaxed quotes and column counts, csv-parse gives up on a record only when it swallows
  // the rest of the file (an unclosed quote); nothing after it can be trusted, so the list is refused.
  onSkip(err: CsvError | undefined): undefined {
    const row = ++this.parsed;
    const code = err?.code ?? 'unknown';
    if (code === 'CSV_QUOTE_NOT_CLOSED') this.fatal ??= new ProspectListError(`the quote opened in row ${row} is never closed`);
    else if (code === 'CSV_MAX_RECORD_SIZE')
      this.fatal ??= new ProspectListError(`row ${row} is longer than ${MAX_RECORD_CHARS} characters (an unclosed quote?)`);
    else this.fatal ??= new ProspectListError(`row ${row} cannot be read as CSV (${code})`);
    return undefined;
  }

  async consume(records: AsyncIterable<unknown>): Promise<void> {
    for await (const record of records) {
      const row = ++this.consumed;
      const cells = (record as unknown[]).map(String);
      if (cells.every((c) => c.trim() === '')) continue; // a blank line, or a row of empty cells
      if (this.columns === null) this.readHeader(row, cells);
      else this.readRow(row, cells);
    }
  }

  private readHeader(row: number, cells: string[]): void {
    if (isHeaderless(cells, this.mapping)) {
      throw new ProspectListError(`no header row: row ${row} holds an e-mail address or phone number and names no email or phone column`);
    }
    this.columns = cells.map((c) => c.trim());
    this.plan = planColumns(this.columns, this.mapping);
  }

  private readRow(row: number, cells: string[]): void {
    this.collector.count();
    if (cells.length !== this.plan.length) return this.collector.problem(row, 'row', `${cells.length} fields, the header has ${this.plan.length}`);
    const values: Array<[ColumnTarget, string]> = [];
    for (const [i, target] of this.plan.entries()) if (target !== null) values.push([target, cells[i] ?? '']);
    this.collector.check(row, values);
  }

  /** The header's cells, once everything is read. */
  finish(): string[] {
    if (this.fatal !== null) throw this.fatal;
    if (this.columns === null) throw new ProspectListError('the file is empty (no header, no rows)');
    return this.columns;
  }
}

/** Reads CSV text into the collector; returns the header's cells. */
export async function readCsv(text: AsyncIterable<string>, collector: ProspectCollector, mapping?: ProspectMapping): Promise<string[]> {
  const it = text[Symbol.asyncIterator]();
  const scanner = new HeaderLineScanner();
  let head = '';
  while (!scanner.done) {
    const r = await it.next();
    if (r.done === true) break;
    head += r.value;
    scanner.push(r.value);
  }
  const reader = new CsvReader(collector, mapping);
  const parser = parse({
    delimiter: scanner.delimiter,
    relax_column_count: true, // a short or long row is that row's problem, not the file's
    relax_quotes: true, // `5" tyre` in an unquoted field is text
    skip_empty_lines: false, // blank lines must reach the row numbering
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_CHARS,
    on_record: (record: string[]) => reader.onRecord(record),
    on_skip: (err) => reader.onSkip(err),
  });
  await pipeline(prepend(head, it), parser, (records: AsyncIterable<unknown>) => reader.consume(records));
  return reader.finish();
}
