// API-key authentication with scopes. Every route needs a key unless it opts out with
// `config: { auth: false }` (health, metrics, signed webhooks and links). Keys come as
// `Authorization: Bearer <key>` or `X-API-Key: <key>`; only their hash is stored.
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../errors.js';
import { findActiveApiKey, recordAudit, type ApiScope } from '../../db/index.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: no key needed. Otherwise the scope the route requires (default read). */
    auth?: false | ApiScope;
  }
  interface FastifyRequest {
    apiKey: { id: string; name: string; scopes: string[] } | null;
  }
}

// admin ⊃ write ⊃ read
const GRANTS: Record<string, ApiScope[]> = { read: ['read'], write: ['read', 'write'], admin: ['read', 'write', 'admin'] };

function presentedKey(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  if (typeof header === 'string' && /^Bearer\s+/i.test(header)) return header.replace(/^Bearer\s+/i, '').trim();
  const x = req.headers['x-api-key'];
  return typeof x === 'string' && x.trim() !== '' ? x.trim() : null;
}

/** The `:id` the route acted on, if it has one (this hook runs for every route, whatever its params). */
const targetId = (params: unknown): string | null =>
  typeof params === 'object' && params !== null && 'id' in params && typeof params.id === 'string' ? params.id : null;

const unauthorized = (reply: FastifyReply, detail: string) => sendProblem(reply.header('www-authenticate', 'Bearer realm="leadflow"'), 401, detail);

export const authPlugin = fp(
  async (app) => {
    app.decorateRequest('apiKey', null);
    app.addHook('onRequest', async (req, reply) => {
      const required = req.routeOptions.config.auth ?? 'read';
      if (required === false || req.routeOptions.url === undefined) return; // 404s are answered as such
      if (req.routeOptions.url === '/docs' || req.routeOptions.url.startsWith('/docs/')) return; // shapes only, no data
      const key = presentedKey(req);
      if (key === null) return unauthorized(reply, 'an API key is required (Authorization: Bearer <key>)');
      const found = await findActiveApiKey(app.db, key);
      if (found === undefined) return unauthorized(reply, 'the API key is unknown or revoked');
      const granted = new Set(found.scopes.flatMap((s) => GRANTS[s] ?? []));
      if (!granted.has(required)) return sendProblem(reply, 403, `this route needs the "${required}" scope; the key has ${found.scopes.join(', ') || 'none'}`);
      req.apiKey = found;
    });

    // Every write, allowed or denied, leaves a row: who (key), what (route + target), when, outcome.
    // Written in onSend, before the answer leaves: a client that has its response finds the row.
    app.addHook('onSend', async (req, reply, payload) => {
      if (['GET', 'HEAD', 'OPTIONS'].includes(req.method) || req.routeOptions.url === undefined || req.routeOptions.config.auth === false) return payload;
      try {
        await recordAudit(app.db, {
          apiKeyId: req.apiKey?.id ?? null,
          apiKeyName: req.apiKey?.name ?? null,
          method: req.method,
          route: req.routeOptions.url,
          target: targetId(req.params),
          status: reply.statusCode,
          requestId: String(req.id),
        });
      } catch (err) {
        req.log.error({ err }, 'audit log write failed');
      }
      return payload;
    });
  },
  { name: 'auth', dependencies: ['infra'] },
);
