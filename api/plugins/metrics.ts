// /metrics serves prom-client's default registry: the product metrics that modules register
// there (ingest, sends, ...), process metrics, and the API's own request histogram. The
// Temporal SDK's metrics come from the worker runtime's own Prometheus endpoint.
import fp from 'fastify-plugin';
import { Histogram, register } from 'prom-client';
import { collectProcessMetrics, singleMetric } from '../../config/metrics.js';

const requestDuration = () =>
  singleMetric(
    'http_request_duration_seconds',
    () =>
      new Histogram({
        name: 'http_request_duration_seconds',
        help: 'API request duration by route and status',
        labelNames: ['method', 'route', 'status'] as const,
        // 10 above 5: histogram_quantile never answers past the highest finite bucket, and the
        // "API p95 > 5 s" alert (deploy/prometheus/alerts.yml) needs an answer above 5.
        buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      }),
  );

export const metricsPlugin = fp(
  async (app) => {
    collectProcessMetrics();
    const duration = requestDuration();
    app.addHook('onResponse', async (req, reply) => {
      duration.observe({ method: req.method, route: req.routeOptions.url ?? 'unknown', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });
    app.get('/metrics', { config: { auth: false } }, async (_req, reply) => {
      void reply.type(register.contentType);
      return register.metrics();
    });
  },
  { name: 'metrics' },
);
