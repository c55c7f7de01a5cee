// /health: every dependency's check, and the overall verdict.
import { Type, type Static } from 'typebox';
import { StringEnum } from './common.js';

const Check = Type.Object({
  ok: Type.Boolean(),
  latencyMs: Type.Optional(Type.Number()),
  error: Type.Optional(Type.String()),
  detail: Type.Optional(Type.String()),
});

export const Health = Type.Object({
  status: StringEnum(['ok', 'degraded']),
  /** By check name (db, temporal, and each configured provider). */
  checks: Type.Unsafe<Record<string, Static<typeof Check>>>(Type.Object({}, { additionalProperties: Check })),
});
