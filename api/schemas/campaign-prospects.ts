// Prospect import schemas: the list itself is the raw body (text/csv or application/json),
// read by the prospect-list contract; these describe the query and the report.
import { Type } from 'typebox';
import { Nullable, WithDefaults } from './common.js';

export const ImportParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export const ImportQuery = WithDefaults(
  Type.Object(
    {
      dryRun: Type.Boolean({ default: false }),
      /** JSON object: header column → email | phone | firstName | lastName | company | timeZone | fields.<name> | null (ignore). */
      mapping: Type.Optional(Type.String({ maxLength: 10_000 })),
      /** ISO 3166 region national phone numbers are read in (default US). */
      region: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })),
      /** Read from the Content-Type when it says; `auto`: JSON when the body starts with [ or {. */
      format: Type.Unsafe<'auto' | 'csv' | 'json'>(Type.String({ enum: ['auto', 'csv', 'json'], default: 'auto' })),
    },
    { additionalProperties: false },
  ),
);
export const ImportReport = Type.Object({
  importId: Nullable(Type.String()),
  created: Type.Boolean(),
  dryRun: Type.Boolean(),
  /** Data rows read (blank rows not counted). */
  rows: Type.Integer(),
  accepted: Type.Integer(),
  /** Every refused row: its spreadsheet row number (header = 1), the field and why. */
  invalid: Type.Array(Type.Object({ row: Type.Integer(), field: Type.String(), reason: Type.String() })),
});
export const ImportIdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }), importId: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
