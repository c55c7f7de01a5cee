// Two limits, both answering 429 problem+json with Retry-After:
// - per client address, before anything else runs (authentication included), on every route:
//   700 requests with bad keys, a webhook flood or a token-link scan all meet it. Health and
//   metrics, which load balancers and Prometheus poll, have their own bucket, ten times larger.
// - per API key, after authentication, so one client cannot starve the others behind one address.
import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../errors.js';

export interface RateLimitOptions {
  /** Requests per minute per API key. */
  perMinute: number;
  /** Requests per minute per client address, whatever the key (default: the per-key figure). */
  perAddressPerMinute?: number;
}

const POLLED = new Set(['/health', '/metrics']);

export const rateLimitPlugin = fp<RateLimitOptions>(
  async (app, opts) => {
    // global: false — no per-route hooks (those would run after authentication); the limiters below
    // are app-level hooks, in the order this plugin is registered.
    await app.register(rateLimit, { global: false });
    const perAddress = opts.perAddressPerMinute ?? opts.perMinute;
    const byAddress = app.createRateLimit({ max: perAddress, timeWindow: 60_000, keyGenerator: (req) => `ip:${req.ip}` });
    const polled = app.createRateLimit({ max: perAddress * 10, timeWindow: 60_000, keyGenerator: (req) => `poll:${req.ip}` });
    const byKey = app.createRateLimit({ max: opts.perMinute, timeWindow: 60_000, keyGenerator: (req) => `key:${req.apiKey?.id ?? ''}` });

    const refuse = (reply: FastifyReply, ttlMs: number, what: string) => {
      void reply.header('retry-after', String(Math.max(1, Math.ceil(ttlMs / 1000))));
      return sendProblem(reply, 429, `rate limit exceeded for this ${what}; retry after ${Math.ceil(ttlMs / 1000)} s`);
    };

    app.addHook('onRequest', async (req: FastifyRequest, reply) => {
      const limiter = POLLED.has(req.url.split('?')[0] ?? '') ? polled : byAddress;
      const r = await limiter(req);
      if (!r.isAllowed && r.isExceeded) return refuse(reply, r.ttl, 'client address');
    });
    app.addHook('preHandler', async (req, reply) => {
      if (req.apiKey === null) return;
      const r = await byKey(req);
      if (!r.isAllowed && r.isExceeded) return refuse(reply, r.ttl, 'API key');
    });
  },
  { name: 'rate-limit' },
);
