// AI metrics on prom-client's default registry (served at /metrics), created once per process
// even when several modules or test files import this one.
import { Histogram } from 'prom-client';
import { singleMetric as once } from '../../config/metrics.js';

/** Wall time of one drafting call to the model, retries included: what the lead workflow waited. */
export const aiResponseLatency = once(
  'ai_response_latency_ms',
  () =>
    new Histogram({
      name: 'ai_response_latency_ms',
      help: 'Latency of AI drafting calls in milliseconds (SDK retries included), by outcome: ok, invalid (answered but failed validation), error, timeout',
      labelNames: ['outcome', 'channel'] as const,
      buckets: [100, 250, 500, 1000, 2000, 4000, 8000, 15000, 30000, 60000],
    }),
);
