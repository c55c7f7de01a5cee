// A tiny HTTP server for SaaS stand-ins: routes by method + path regex, records every request
// so tests can assert what the real client library sent.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest { method: string; path: string; headers: http.IncomingHttpHeaders; body: string }
export interface Reply { status: number; body: unknown; headers?: Record<string, string> }
export type Route = { method: string; path: RegExp; handle: (req: RecordedRequest, match: RegExpMatchArray) => Reply };

export interface StandIn { url: string; requests: RecordedRequest[]; close(): Promise<void> }

export async function startStandIn(routes: Route[], notFound: (req: RecordedRequest) => Reply): Promise<StandIn> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString() };
      requests.push(rec);
      const pathname = new URL(rec.path, 'http://x').pathname;
      let reply: Reply | undefined;
      for (const r of routes) {
        const m = r.method === rec.method ? pathname.match(r.path) : null;
        if (m) { reply = r.handle(rec, m); break; }
      }
      reply ??= notFound(rec);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
