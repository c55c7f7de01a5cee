// A bare /metrics endpoint for a worker running without the API (in `leadflow up` the API serves
// the same registry). Product metrics recorded by activities (ingest, sends) live in this process.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { register } from 'prom-client';
import { collectProcessMetrics } from '../config/metrics.js';

export async function serveMetrics(address: string): Promise<{ url: string; close(): Promise<void> }> {
  collectProcessMetrics();
  const idx = address.lastIndexOf(':');
  const host = address.slice(0, idx).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(idx + 1));
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    register.metrics().then(
      (body) => res.writeHead(200, { 'content-type': register.contentType }).end(body),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actual = (server.address() as AddressInfo).port;
  return { url: `http://${address.slice(0, idx)}:${actual}/metrics`, close: () => new Promise((r) => server.close(() => r())) };
}
