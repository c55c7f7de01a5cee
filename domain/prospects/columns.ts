// Which column feeds which prospect attribute: header spellings people actually use, overridden
// by an explicit mapping. Ambiguity is refused rather than guessed, since a wrong guess would
// import every row with the wrong address; the message says how a mapping resolves it.
import { checkEmailSyntax } from '../enrich/email.js';
import { ProspectListError, STANDARD_FIELDS, type ColumnTarget, type ProspectMapping, type StandardField } from './types.js';

const ALIASES: Record<StandardField, string[]> = {
  email: ['email', 'e-mail', 'email address', 'e-mail address', 'mail'],
  firstName: ['first name', 'first_name', 'firstname', 'given name'],
  lastName: ['last name', 'last_name', 'lastname', 'surname', 'family name'],
  phone: ['phone', 'mobile', 'phone number', 'mobile phone', 'cell', 'telephone'],
  company: ['company', 'company name', 'organization', 'organisation'],
  timeZone: ['timezone', 'time zone', 'time_zone', 'tz', 'iana time zone'],
};

// Case, surrounding space, `_`, `-` and inner spaces do not matter: `E-Mail Address` = `email_address`.
const squash = (header: string): string =>
  header
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');

const RECOGNISED = new Map<string, StandardField>(
  Object.entries(ALIASES).flatMap(([field, names]) => names.map((n): [string, StandardField] => [squash(n), field as StandardField])),
);

/** The standard field a header names, if any. */
export const recogniseHeader = (header: string): StandardField | null => RECOGNISED.get(squash(header)) ?? null;

/** Column names as mappings and custom fields know them: trimmed; an unnamed column is `column N`. */
export const columnNames = (columns: readonly string[]): string[] => columns.map((c, i) => (c.trim() === '' ? `column ${i + 1}` : c.trim()));

const isStandard = (t: string): t is StandardField => (STANDARD_FIELDS as readonly string[]).includes(t);

function parseTarget(column: string, target: unknown): ColumnTarget | null {
  if (target === null) return null;
  if (typeof target === 'string') {
    if (isStandard(target)) return target;
    if (target.startsWith('fields.') && target.slice(7).trim() !== '') return `fields.${target.slice(7).trim()}`;
  }
  const shown = typeof target === 'string' ? `"${target}"` : typeof target;
  throw new ProspectListError(`mapping for column "${column}": unknown target ${shown} (one of ${STANDARD_FIELDS.join(', ')}, fields.<name>, or null)`);
}

/**
 * Throws ProspectListError when the mapping names a column the header does not have, maps to
 * something that is not a prospect attribute, or maps two columns to the same attribute.
 */
export function validateMapping(mapping: ProspectMapping, columns: readonly string[]): void {
  if (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping)) {
    throw new ProspectListError('the mapping must be an object of column name → target');
  }
  const names = new Set(columnNames(columns));
  const taken = new Map<string, string>();
  for (const [column, raw] of Object.entries(mapping)) {
    if (!names.has(column.trim())) throw new ProspectListError(`mapping names column "${column}", which the header does not have`);
    const target = parseTarget(column, raw);
    if (target === null) continue;
    const other = taken.get(target);
    if (other !== undefined) throw new ProspectListError(`mapping sends both "${other}" and "${column}" to ${target}`);
    taken.set(target, column);
  }
}

/** Each column's target (null: ignored), in column order. Validates the mapping first. */
export function planColumns(columns: readonly string[], mapping: ProspectMapping = {}): Array<ColumnTarget | null> {
  validateMapping(mapping, columns);
  const names = columnNames(columns);
  const mapped = new Map(Object.entries(mapping).map(([column, target]) => [column.trim(), parseTarget(column, target)]));
  const seen = new Set<string>();
  for (const [i, name] of names.entries()) {
    // Two columns of one name would make a mapping (and a custom field) ambiguous.
    if (seen.has(name)) throw new ProspectListError(`column "${name}" appears twice in the header (columns ${names.indexOf(name) + 1} and ${i + 1})`);
    seen.add(name);
  }
  // A mapped attribute is the mapping's: a column that would also be recognised as it stays a custom field.
  const claimed = new Set([...mapped.values()].filter((t) => t !== null));
  const recognisedBy = new Map<StandardField, string>();
  const plan = names.map((name): ColumnTarget | null => {
    if (mapped.has(name)) return mapped.get(name) ?? null;
    const field = recogniseHeader(name);
    if (field === null || claimed.has(field)) return `fields.${name}`;
    const other = recognisedBy.get(field);
    if (other !== undefined) {
      throw new ProspectListError(`columns "${other}" and "${name}" both read as ${field}: map one of them (to null or to fields.<name>)`);
    }
    recognisedBy.set(field, name);
    return field;
  });
  const fieldNames = plan.filter((t): t is `fields.${string}` => t?.startsWith('fields.') ?? false);
  const clash = fieldNames.find((t, i) => fieldNames.indexOf(t) !== i);
  if (clash !== undefined) throw new ProspectListError(`two columns would both be stored as custom field "${clash.slice(7)}"`);
  return plan;
}

const PHONE_LIKE = /^\+?[\d\s().-]+$/;

/** A cell that is contact data rather than a column name: an e-mail address or a phone-like number. */
function isContactValue(cell: string): boolean {
  const text = cell.trim();
  if (text.includes('@')) return checkEmailSyntax(text).syntaxValid;
  return PHONE_LIKE.test(text) && text.replace(/\D/g, '').length >= 7;
}

/**
 * A first row that names no e-mail or phone column (itself or through the mapping) but holds an
 * e-mail address or a phone number is data: the file has no header.
 */
export function isHeaderless(cells: readonly string[], mapping: ProspectMapping = {}): boolean {
  const contact = (t: unknown) => t === 'email' || t === 'phone';
  if (cells.some((c) => contact(recogniseHeader(c))) || Object.values(mapping).some(contact)) return false;
  return cells.some(isContactValue);
}
