// The codec server's wire format: Temporal's `Payloads` message in proto3 JSON, every bytes field
// (metadata values, data) base64. Payloads are open: a field a newer Temporal adds to the proto is
// passed through untouched rather than refused.
import { Type, type Static } from 'typebox';

/** proto3 JSON bytes: standard or URL-safe base64, padding optional. */
const Base64 = Type.String({ pattern: '^[A-Za-z0-9+/_-]*={0,2}$' });

export const JsonPayload = Type.Object(
  {
    metadata: Type.Optional(Type.Record(Type.String(), Base64)),
    data: Type.Optional(Base64),
  },
  { additionalProperties: true },
);
export type JsonPayload = Static<typeof JsonPayload>;

export const CodecBody = Type.Object({ payloads: Type.Array(JsonPayload, { maxItems: 10_000 }) }, { additionalProperties: false });
export type CodecBody = Static<typeof CodecBody>;

export const CodecResult = Type.Object({ payloads: Type.Array(JsonPayload) });

/** The access-token form of the endpoint: `/codec/t/:token/decode`. */
export const CodecTokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 512 }) });
