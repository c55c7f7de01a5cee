// Payload encryption for everything leadflow hands Temporal: workflow and activity inputs and
// results, signals, queries, updates, memos. AES-256-GCM, one fresh 96-bit IV per payload, the key
// id in the payload's metadata. The newest key encrypts and every listed key decrypts, so keys
// rotate without downtime: add the new key in front, wait until no open workflow still needs the
// old one (or keep it listed), then drop it. A payload without our encoding (written before the
// codec, e.g. the committed replay histories) passes through untouched.
//
// Temporal never encrypts workflow IDs or search attributes: those carry no personal data by
// design (opaque lead IDs, see temporal/lead-ids.ts).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import protos from '@temporalio/proto';

// CommonJS: the namespace is on the default export.
const { temporal } = protos;

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const CIPHER = 'AES-256-GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface PayloadKey {
  id: string;
  key: Buffer;
}

export class PayloadKeyError extends Error {
  override readonly name = 'PayloadKeyError';
}

/**
 * `PAYLOAD_ENCRYPTION_KEYS`: `id:base64key[,id:base64key...]`, newest first; each key 32 bytes
 * (e.g. `openssl rand -base64 32`). Ids are short names of your choosing (`2026-12`, `k2`).
 */
export function parsePayloadKeys(text: string): PayloadKey[] {
  const keys = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((entry) => {
      const at = entry.indexOf(':');
      const id = at < 0 ? '' : entry.slice(0, at).trim();
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(id))
        throw new PayloadKeyError(`payload key "${entry.slice(0, 12)}…" needs the form id:base64key (id of letters, digits, . _ -)`);
      const key = Buffer.from(entry.slice(at + 1).trim(), 'base64');
      if (key.length !== 32) throw new PayloadKeyError(`payload key "${id}" must be 32 bytes (base64 of 32 random bytes), got ${key.length}`);
      return { id, key };
    });
  if (keys.length === 0) throw new PayloadKeyError('no payload key given');
  const ids = keys.map((k) => k.id);
  if (new Set(ids).size !== ids.length) throw new PayloadKeyError('payload key ids must be unique');
  return keys;
}

export const formatPayloadKeys = (keys: PayloadKey[]): string => keys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');

const text = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const metaText = (p: Payload, k: string): string | null => {
  const v = p.metadata?.[k];
  return v == null ? null : Buffer.from(v).toString('utf8');
};

export class AesGcmCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly current: PayloadKey;

  constructor(keys: PayloadKey[]) {
    const [current] = keys;
    if (current === undefined) throw new PayloadKeyError('the codec needs at least one key');
    this.current = current;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
      const plain = temporal.api.common.v1.Payload.encode(p).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { encoding: text(ENCRYPTED_ENCODING), 'encryption-cipher': text(CIPHER), 'encryption-key-id': text(this.current.id) },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      if (metaText(p, 'encoding') !== ENCRYPTED_ENCODING) return p;
      const id = metaText(p, 'encryption-key-id') ?? '';
      const key = this.byId.get(id);
      if (key === undefined) throw new PayloadKeyError(`payload encrypted with key "${id}", which is not among PAYLOAD_ENCRYPTION_KEYS`);
      const data = Buffer.from(p.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadKeyError('encrypted payload is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/** The data converter for clients, workers and replay: payloads through the AES-GCM codec. */
export const encryptingDataConverter = (keys: PayloadKey[]): DataConverter => ({ payloadCodecs: [new AesGcmCodec(keys)] });
