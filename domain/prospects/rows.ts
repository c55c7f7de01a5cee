// One row's values to a prospect record or to the first problem found. The order problems are
// looked for in is fixed (shape, e-mail, phone, time zone, neither, duplicate) so that the same
// file always reports the same problem for a row, whichever way it is read.
import type { CountryCode } from 'libphonenumber-js/max';
import { checkEmailSyntax } from '../enrich/email.js';
import { enrichPhone } from '../enrich/phone.js';
import { canonicalTimeZone } from '../time-zone.js';
import { ProspectListError, type ColumnTarget, type ProspectProblem, type ProspectRecord } from './types.js';

export class ProspectCollector {
  rows = 0;
  readonly valid: ProspectRecord[] = [];
  readonly invalid: ProspectProblem[] = [];
  // Normalised e-mail → the row that first had it, and for rows without an e-mail, E.164 phone →
  // the first such row: the keys a campaign holds a person once by (its unique indexes), so a
  // repeat is refused here, where the dry run sees it too, not only by the real import's insert.
  // Only valid rows enter: every duplicate then names a row that is actually imported.
  private readonly firstRow = new Map<string, number>();
  private readonly firstPhoneOnlyRow = new Map<string, number>();

  constructor(
    private readonly region: CountryCode,
    private readonly maxRows: number,
  ) {}

  /** Counts one data row; throws once the list is longer than maxRows. */
  count(): void {
    this.rows++;
    if (this.rows > this.maxRows) throw new ProspectListError(`more than ${this.maxRows} rows: split the list`);
  }

  problem(row: number, field: string, reason: string): void {
    this.invalid.push({ row, field, reason });
  }

  /** Checks one counted row, given as (target, value) pairs; blank values count as absent. */
  check(row: number, values: Iterable<readonly [ColumnTarget, string]>): void {
    const record: ProspectRecord = { row, email: null, emailNorm: null, phone: null, firstName: null, lastName: null, company: null, fields: {} };
    let phoneRaw: string | null = null;
    let zoneRaw: string | null = null;
    for (const [target, raw] of values) {
      const value = raw.trim();
      if (value === '') continue;
      if (target.startsWith('fields.')) record.fields[target.slice(7)] = value;
      else if (target === 'phone') phoneRaw = value;
      else if (target === 'timeZone') zoneRaw = value;
      else if (target === 'email' || target === 'firstName' || target === 'lastName' || target === 'company') record[target] = value;
    }

    if (record.email !== null) {
      const { address, syntaxValid } = checkEmailSyntax(record.email);
      if (!syntaxValid) return this.problem(row, 'email', 'not a valid e-mail address');
      record.emailNorm = address;
    }
    if (phoneRaw !== null) {
      const phone = enrichPhone(phoneRaw, this.region);
      if (!phone.valid) return this.problem(row, 'phone', `not a valid phone number (national numbers are read as ${this.region})`);
      record.phone = phone.e164;
    }
    if (zoneRaw !== null) {
      const zone = canonicalTimeZone(zoneRaw);
      if (zone === null) return this.problem(row, 'timeZone', `${JSON.stringify(zoneRaw.slice(0, 64))} is not an IANA time zone (e.g. America/Chicago)`);
      record.timeZone = zone;
    }
    if (record.email === null && record.phone === null) return this.problem(row, 'email', 'neither an e-mail address nor a phone number');
    if (record.emailNorm !== null) {
      const first = this.firstRow.get(record.emailNorm);
      if (first !== undefined) return this.problem(row, 'email', `duplicate of row ${first}`);
      this.firstRow.set(record.emailNorm, row);
    } else if (record.phone !== null) {
      const first = this.firstPhoneOnlyRow.get(record.phone);
      if (first !== undefined) return this.problem(row, 'phone', `duplicate of row ${first}`);
      this.firstPhoneOnlyRow.set(record.phone, row);
    }
    this.valid.push(record);
  }
}
