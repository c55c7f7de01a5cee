// Route schemas are TypeBox declarations: fastify's ajv validates requests against them,
// @fastify/swagger documents them, and the type provider types each handler from them. These
// pieces are shared by every resource.
import { Type, type Static, type TObject, type TSchema, type TUnsafe } from 'typebox';

/**
 * `{ type: [T, 'null'] }`, the form the hand-written schemas used. Not `anyOf: [T, null]`: ajv
 * coerces types (fastify's `coerceTypes: 'array'`) and inside anyOf it would turn a null into the
 * first branch's "" (or "" into null), where a type list leaves both as sent.
 */
export function Nullable<T extends TSchema & { type: string }>(schema: T): TUnsafe<Static<T> | null> {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });
}

/**
 * An object whose properties with a `default` are optional to the client (not `required` in the
 * JSON Schema, so neither in OpenAPI) but always present in the handler: ajv fills them in.
 */
export function WithDefaults<T extends TObject>(schema: T): TUnsafe<Static<T>> {
  const { required, ...rest } = schema;
  const properties: Record<string, object> = schema.properties;
  const stillRequired = (required ?? []).filter((k) => !('default' in (properties[k] ?? {})));
  return Type.Unsafe<Static<T>>(stillRequired.length > 0 ? { ...rest, required: stillRequired } : rest);
}

/** `{ type: 'string', enum: [...] }`, typed as the union of its values. */
export const StringEnum = <const T extends readonly string[]>(values: T): TUnsafe<T[number]> => Type.Unsafe<T[number]>(Type.String({ enum: [...values] }));

/** A timestamp: a Date in the handler, ISO-8601 on the wire. */
export const DateTime = Type.Unsafe<Date>(Type.String({ format: 'date-time' }));
export const NullableDateTime = Type.Unsafe<Date | null>({ type: ['string', 'null'], format: 'date-time' });

/** A jsonb column or other free-form object, served as stored. */
export const JsonObject = Type.Unsafe<Record<string, unknown>>(Type.Object({}, { additionalProperties: true }));

/** `limit` and `offset` of a list; the lists differ only in their default page size. */
export const page = (defaultLimit: number) => ({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: defaultLimit }),
  // Bounded: 1e20 passes an integer check and PostgreSQL's bigint does not (found by the fuzzer).
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0 }),
});
export const pageEcho = { limit: Type.Integer(), offset: Type.Integer() };

/**
 * The RFC 9457 problem every non-2xx answer is (errors.ts). Open: some answers add members
 * (`code`, `quarantineId`), and the serializer must pass them through.
 */
const ProblemDetails = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.String(),
    /** Bad requests: which fields, and what is wrong with each. */
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.Optional(Type.String()) }))),
  },
  { additionalProperties: true },
);
export type Problem = Static<typeof ProblemDetails>;

/** A problem status in a route's `response`: served as application/problem+json. */
export const Problem = { description: 'RFC 9457 problem details', content: { 'application/problem+json': { schema: ProblemDetails } } };

/** What any route may answer besides its own codes: a failure whose details only the log has. */
export const Unexpected = { 500: Problem };

/** What any route behind an API key may also answer: no or unknown key, a key without the scope, the key's rate limit. */
export const KeyProblems = { 401: Problem, 403: Problem, 429: Problem, ...Unexpected };

/** A signed link's token (one-click unsubscribe, handover acknowledgement); verified by the handler. */
export const TokenParams = Type.Object({ token: Type.String() });

/** An HTML page (signed-link confirmations and results). */
export const HtmlResponse = { description: 'An HTML page', content: { 'text/html': { schema: Type.String() } } };
