// API keys: only a hash is stored; the secret is shown once at creation.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { ApiKeyRow } from '../schema.js';
import type { Db } from './leads.js';

export const API_SCOPES = ['read', 'write', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export async function createApiKey(db: Db, name: string, scopes: ApiScope[]): Promise<{ id: string; key: string }> {
  const id = randomUUID();
  // 256 random bits: guessing is hopeless, so a plain sha256 at rest is enough (no slow KDF).
  const key = `lf_${randomBytes(32).toString('base64url')}`;
  await db
    .insertInto('api_keys')
    .values({ id, name, secret_hash: hashSecret(key), scopes: JSON.stringify(scopes) })
    .execute();
  return { id, key };
}

/** last_used_at is for spotting dead keys: minute precision is plenty, and saves a write per request. */
const TOUCH_AFTER_MS = 60_000;

/** The active key for a presented secret (undefined when unknown or revoked); notes its use. */
export async function findActiveApiKey(db: Db, key: string): Promise<Pick<ApiKeyRow, 'id' | 'name' | 'scopes'> | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'name', 'scopes', 'last_used_at'])
    .where('secret_hash', '=', hashSecret(key))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  if (row.last_used_at === null || Date.now() - row.last_used_at.getTime() > TOUCH_AFTER_MS) {
    await db.updateTable('api_keys').set({ last_used_at: new Date() }).where('id', '=', row.id).execute();
  }
  return { id: row.id, name: row.name, scopes: row.scopes };
}

export async function listApiKeys(db: Db): Promise<Array<Omit<ApiKeyRow, 'secret_hash'>>> {
  return db.selectFrom('api_keys').select(['id', 'name', 'scopes', 'created_at', 'revoked_at', 'last_used_at']).orderBy('created_at').execute();
}

export async function revokeApiKey(db: Db, id: string): Promise<boolean> {
  const res = await db
    .updateTable('api_keys')
    .set({ revoked_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return res.numUpdatedRows > 0n;
}
