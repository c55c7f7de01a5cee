// Per-key rate limits (per client address before a key is known). Runs after authentication so
// the key is the bucket; health and metrics are never limited.
import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';

export const rateLimitPlugin = fp<{ perMinute: number }>(async (app, opts) => {
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: opts.perMinute,
    timeWindow: '1 minute',
    keyGenerator: (req) => (req.apiKey ? `key:${req.apiKey.id}` : `ip:${req.ip}`),
    allowList: (req) => req.routeOptions.config.auth === false,
    errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, message: `rate limit of ${ctx.max} requests per ${ctx.after} exceeded for this key; retry later` }),
  });
}, { name: 'rate-limit', dependencies: ['auth'] });
