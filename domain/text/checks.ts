// What PostgreSQL and Temporal refuse, found before anything is accepted: U+0000 (text and jsonb
// cannot hold it), lone UTF-16 surrogates (no UTF-8 encoding exists for them), nesting deeper
// than any lead needs, and documents too large for a workflow input. Each finding names the
// field as a JSON path, so a caller is told exactly what to fix instead of getting a 202 for a
// lead that can never be stored.

export interface TextProblem {
  field: string;
  reason: string;
}

/** `payload.notes[1].text` → `/payload/notes/1/text` (RFC 6901), the form API field errors use. */
export function jsonPointer(field: string): string {
  const parts: string[] = [];
  const re = /\.?([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (let m = re.exec(field); m !== null; m = re.exec(field)) parts.push(m[1] ?? m[2] ?? (JSON.parse(m[3] ?? '""') as string));
  return `/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function stringProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'contains a NUL character (U+0000)';
  if (LONE_SURROGATE.test(s)) return 'contains an unpaired UTF-16 surrogate (not valid Unicode)';
  return null;
}

const child = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? (path === '' ? key : `${path}.${key}`) : `${path}[${JSON.stringify(key)}]`;

/** The first unstorable string (or key) in `value`, or a nesting deeper than `maxDepth`. */
export function findTextProblem(value: unknown, path = '', maxDepth = 32, depth = 0): TextProblem | null {
  if (typeof value === 'string') {
    const reason = stringProblem(value);
    return reason === null ? null : { field: path || '(value)', reason };
  }
  if (value === null || typeof value !== 'object') return null;
  if (depth >= maxDepth) return { field: path || '(value)', reason: `is nested deeper than ${maxDepth} levels` };
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [key, v] of entries) {
    if (typeof key === 'string') {
      const reason = stringProblem(key);
      if (reason !== null) return { field: child(path, key), reason: `has a key that ${reason}` };
    }
    const found = findTextProblem(v, child(path, key), maxDepth, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

/** Length in UTF-8 bytes of the JSON text of `value` (what a Temporal payload will carry). */
export const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
