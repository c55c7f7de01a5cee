import { sql, type RawBuilder } from 'kysely';
import type { JsonbInput, JsonObject } from '../schema.js';

// Serialise ourselves instead of handing objects to the driver: pg would send a JS
// array as a Postgres array literal (not JSON), and PGlite only JSON-encodes when it
// has described the parameter type. An explicit string + cast behaves the same on both.
// A string is taken as JSON text that is already serialised (Postgres rejects it if not).
export function jsonb(value: JsonbInput): RawBuilder<JsonObject> {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return sql<JsonObject>`cast(${text} as jsonb)`;
}

