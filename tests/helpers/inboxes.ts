// The inbox registry's API for tests: an app with the inbox routes, a real secret box, the real
// login check, the implicit inboxes of a plain local install, and admin/read keys.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { buildApp } from '../../api/app.js';
import { verifyInboxConnection } from '../../activities/inboxes/verify.js';
import { createLogger } from '../../config/logger.js';
import { createApiKey, type Database } from '../../db/index.js';
import { createSecretBox, type SecretBox } from '../../domain/crypto/secret-box.js';
import type { ImplicitInbox } from '../../domain/inboxes/types.js';
import { TEST_LEAD_ID_SECRET } from './codec.js';

export const LOCAL_IMPLICIT: ImplicitInbox[] = [
  { id: 'default', kind: 'smtp', address: 'leads@localhost', displayName: 'leadflow', provider: 'local' },
  { id: 'default-sms', kind: 'sms', address: 'local', displayName: null, provider: 'local' },
];

export interface InboxApi {
  app: FastifyInstance;
  box: SecretBox;
  logs: string[];
  admin: Record<string, string>;
  read: Record<string, string>;
}

export async function inboxApi(db: Kysely<Database>, temporal: Client, env: Record<string, string> = {}): Promise<InboxApi> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      logs.push(chunk.toString());
      cb();
    },
  });
  const box = createSecretBox([randomBytes(32)]);
  const app = await buildApp({
    leadIdSecret: TEST_LEAD_ID_SECRET,
    db,
    temporal,
    // debug: the most a misconfigured deployment would log, and still no secret may appear.
    logger: createLogger('debug', 'api', sink),
    inboxes: { box, verify: (kind, c) => verifyInboxConnection(kind, c, { timeoutMs: 3000 }), implicit: LOCAL_IMPLICIT, env },
  });
  const key = async (scope: 'admin' | 'read') => ({
    authorization: `Bearer ${(await createApiKey(db, `${scope}-${randomBytes(3).toString('hex')}`, [scope])).key}`,
  });
  return { app, box, logs, admin: await key('admin'), read: await key('read') };
}

export interface Problem {
  status: number;
  detail: string;
  errors?: Array<{ field: string; message?: string }>;
}
