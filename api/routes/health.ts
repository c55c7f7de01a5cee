// /health answers 200 only when every required dependency answers; 503 lists what is down,
// so a load balancer and an operator read the same truth.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { probe, type CheckOutcome } from '../../domain/health/probe.js';
import { checkDb } from '../../db/index.js';
import { Health } from '../schemas/health.js';

export interface HealthOptions {
  /** Checks of the configured providers (IMAP, SMTP, SendGrid, Twilio, OpenAI), injected. */
  providers?: () => Promise<CheckOutcome[]>;
  /** Provider answers are reused this long: a load balancer polling /health must not poll them. */
  providerCacheMs?: number;
}

export const healthRoutes: FastifyPluginAsyncTypebox<HealthOptions> = async (app, opts) => {
  let cached: { at: number; results: Promise<CheckOutcome[]> } | null = null;
  const providerChecks = (): Promise<CheckOutcome[]> => {
    if (opts.providers === undefined) return Promise.resolve([]);
    if (cached === null || Date.now() - cached.at > (opts.providerCacheMs ?? 30_000)) cached = { at: Date.now(), results: opts.providers() };
    return cached.results;
  };
  app.get('/health', { config: { auth: false }, schema: { response: { 200: Health, 503: Health } } }, async (_req, reply) => {
    const outcomes = (
      await Promise.all([
        probe(
          'db',
          true,
          async () => {
            await checkDb(app.db);
            return 'answers';
          },
          2000,
        ),
        probe(
          'temporal',
          true,
          async () => {
            await app.temporal.workflowService.getSystemInfo({});
            return 'answers';
          },
          2000,
        ),
        providerChecks(),
      ])
    ).flat();
    const checks = Object.fromEntries(
      outcomes.map((o) => [o.name, { ok: o.ok, latencyMs: o.latencyMs ?? 0, ...(o.ok ? { detail: o.detail } : { error: o.detail }) }]),
    );
    const ok = Object.values(checks).every((c) => c.ok);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', checks });
  });
};
