// The key that seals inbox credentials at rest: INBOX_CREDENTIALS_KEY (base64 or base64url of 32
// bytes; several comma-separated, newest first, while rotating), else one generated once into the
// data directory like the other local secrets. The API (which seals) and the workers (which open)
// must read the same key: a deployment on several machines sets the variable everywhere.
import { randomBytes } from 'node:crypto';
import { ConfigError } from './env-parse.js';
import { localSecret } from './local-secret.js';
import type { Config } from './index.js';

export const INBOX_KEY_FILE = 'inbox-credentials.key';

export function parseInboxKeys(text: string, source: string): Buffer[] {
  const keys = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s, i) => {
      if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) throw new ConfigError(`${source}: key ${i + 1} is not base64`);
      const key = Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
      if (key.length !== 32) throw new ConfigError(`${source}: key ${i + 1} must be 32 bytes (e.g. \`openssl rand -base64 32\`), got ${key.length}`);
      return key;
    });
  if (keys.length === 0) throw new ConfigError(`${source}: no key given`);
  return keys;
}

/** The keys, newest first. */
export async function inboxCredentialKeys(config: Pick<Config, 'dataDir' | 'privacy'>): Promise<Buffer[]> {
  const fromEnv = config.privacy.inboxCredentialsKey;
  if (fromEnv !== undefined) return parseInboxKeys(fromEnv, 'INBOX_CREDENTIALS_KEY');
  const text = await localSecret(config.dataDir, INBOX_KEY_FILE, () => randomBytes(32).toString('base64url'));
  return parseInboxKeys(text, `${config.dataDir}/${INBOX_KEY_FILE}`);
}
