// Sealing small secrets at rest (inbox passwords, API keys, auth tokens): AES-256-GCM with a
// fresh 96-bit IV each time, bound to what the secret belongs to (associated data, e.g. the
// inbox id) so a sealed blob copied onto another row does not open. The key id travels in the
// sealed text, so keys rotate: the newest key seals, every listed key opens, and `needsReseal`
// tells a caller which rows to re-seal under the newest one.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'sb1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

export interface SecretBox {
  seal(plain: string, associatedData: string): string;
  open(sealed: string, associatedData: string): string;
  /** True when `sealed` was made with a key other than the newest. */
  needsReseal(sealed: string): boolean;
}

/** A key's id: 8 hex characters of its SHA-256, so ids need no configuration and never collide by accident. */
export const keyId = (key: Buffer): string => createHash('sha256').update(key).digest('hex').slice(0, 8);

/** Keys newest first; each exactly 32 bytes. */
export function createSecretBox(keys: readonly Buffer[]): SecretBox {
  if (keys.length === 0) throw new SecretBoxError('no key given');
  for (const k of keys) if (k.length !== 32) throw new SecretBoxError(`a key must be 32 bytes, got ${k.length}`);
  const byId = new Map(keys.map((k) => [keyId(k), k]));
  const newest = keys[0]!;
  const newestId = keyId(newest);

  return {
    seal(plain, associatedData) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', newest, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, newestId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed, associatedData) {
      const parts = sealed.split('.');
      if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretBoxError('not a sealed secret');
      const [, id, iv, tag, body] = parts as [string, string, string, string, string];
      const key = byId.get(id);
      if (key === undefined) throw new SecretBoxError(`sealed with key ${id}, which is not among the configured keys`);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError('the sealed secret does not open (altered, or sealed for something else)');
      }
    },
    needsReseal: (sealed) => sealed.split('.')[1] !== newestId,
  };
}
