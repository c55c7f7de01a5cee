import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, register } from 'prom-client';
import { serveMetrics } from '../../workers/metrics-server.js';

test('a standalone worker serves the product metrics registry at /metrics, and nothing else', async () => {
  const c = (register.getSingleMetric('worker_metrics_test_total') as Counter | undefined) ?? new Counter({ name: 'worker_metrics_test_total', help: 'test' });
  c.inc(3);
  const server = await serveMetrics('127.0.0.1:0');
  try {
    const res = await fetch(server.url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const body = await res.text();
    assert.match(body, /^worker_metrics_test_total 3$/m);
    assert.match(body, /^leadflow_process_resident_memory_bytes \d+/m, 'process metrics too');
    assert.equal((await fetch(server.url.replace('/metrics', '/other'))).status, 404);
  } finally {
    await server.close();
  }
});
