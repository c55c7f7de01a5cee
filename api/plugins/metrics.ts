// prom-client registry for the API process. Product metrics register on this registry from the
// modules that own them; the Temporal SDK's metrics are served by the worker runtime separately.
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry;
  }
}

export const metricsPlugin = fp<{ registry?: Registry }>(async (app, opts) => {
  const registry = opts.registry ?? new Registry();
  if (opts.registry === undefined) collectDefaultMetrics({ register: registry, prefix: 'leadflow_' });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'API request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  app.decorate('metrics', registry);
  app.addHook('onResponse', async (req, reply) => {
    duration.observe({ method: req.method, route: req.routeOptions.url ?? 'unknown', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (_req, reply) => {
    void reply.type(registry.contentType);
    return registry.metrics();
  });
}, { name: 'metrics' });
