// /health answers 200 only when every required dependency answers; 503 lists what is down,
// so a load balancer and an operator read the same truth.
import type { FastifyInstance } from 'fastify';
import type { CheckOutcome } from '../../activities/health/probe.js';
import { checkDb } from '../../db/index.js';

export interface HealthOptions {
  /** Checks of the configured providers (IMAP, SMTP, SendGrid, Twilio, OpenAI), injected. */
  providers?: () => Promise<CheckOutcome[]>;
  /** Provider answers are reused this long: a load balancer polling /health must not poll them. */
  providerCacheMs?: number;
}

export interface CheckResult { ok: boolean; latencyMs: number; error?: string }

async function timed(fn: () => Promise<unknown>, timeoutMs: number): Promise<CheckResult> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const check = fn();
    check.catch(() => undefined); // a late failure after the timeout must not go unhandled
    await Promise.race([check, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs); })]);
    return { ok: true, latencyMs: Math.round(performance.now() - start) };
  } catch (err) {
    return { ok: false, latencyMs: Math.round(performance.now() - start), error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

const check = { type: 'object', properties: { ok: { type: 'boolean' }, latencyMs: { type: 'number' }, error: { type: 'string' }, detail: { type: 'string' } }, required: ['ok'] };
const healthSchema = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['ok', 'degraded'] }, checks: { type: 'object', additionalProperties: check } },
  required: ['status', 'checks'],
};

export async function healthRoutes(app: FastifyInstance, opts: HealthOptions = {}): Promise<void> {
  let cached: { at: number; results: Promise<CheckOutcome[]> } | null = null;
  const providerChecks = (): Promise<CheckOutcome[]> => {
    if (opts.providers === undefined) return Promise.resolve([]);
    if (cached === null || Date.now() - cached.at > (opts.providerCacheMs ?? 30_000)) cached = { at: Date.now(), results: opts.providers() };
    return cached.results;
  };
  app.get('/health', { config: { auth: false }, schema: { response: { 200: healthSchema, 503: healthSchema } } }, async (_req, reply) => {
    const [db, temporal, providers] = await Promise.all([
      timed(() => checkDb(app.db), 2000),
      timed(() => app.temporal.workflowService.getSystemInfo({}), 2000),
      providerChecks(),
    ]);
    const checks: Record<string, CheckResult & { detail?: string }> = { db, temporal };
    for (const p of providers) {
      checks[p.name] = { ok: p.ok, latencyMs: p.latencyMs ?? 0, ...(p.ok ? { detail: p.detail } : { error: p.detail }) };
    }
    const ok = Object.values(checks).every((c) => c.ok);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', checks });
  });
}
