import { sql, type RawBuilder } from 'kysely';
import type { JsonbInput, JsonObject } from '../schema.js';

// Serialise ourselves instead of handing objects to the driver: pg would send a JS
// array as a Postgres array literal (not JSON), and PGlite only JSON-encodes when it
// has described the parameter type. An explicit string + cast behaves the same on both.
// A string is taken as JSON text that is already serialised (Postgres rejects it if not).
//
// PostgreSQL's jsonb cannot hold U+0000. Lead data with one is refused at intake (400); what
// still carries one (an inbound mail's text on a lead's timeline) is stored with U+FFFD in its
// place, visibly, rather than failing the write on every retry.
const NUL_ESCAPE = /(?<!\\)((?:\\\\)*)\\u0000/g;

export function jsonb(value: JsonbInput): RawBuilder<JsonObject> {
  const text = (typeof value === 'string' ? value : JSON.stringify(value)).replace(NUL_ESCAPE, '$1\\ufffd');
  return sql<JsonObject>`cast(${text} as jsonb)`;
}
