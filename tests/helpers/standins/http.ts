// A tiny HTTP server for SaaS stand-ins: routes by method + path regex, records every request
// so tests can assert what the real client library sent.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
/**
 * `delayMs` holds the answer back, to exercise client timeouts. `reset` destroys the connection
 * instead of answering (after `delayMs`, when set): the client sees ECONNRESET / "socket hang up".
 */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
  reset?: boolean;
}
export type Route = { method: string; path: RegExp; handle: (req: RecordedRequest, match: RegExpMatchArray) => Reply };

export interface StandIn {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

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
        if (m) {
          reply = r.handle(rec, m);
          break;
        }
      }
      const final = reply ?? notFound(rec);
      const write = () => {
        if (res.destroyed) return;
        if (final.reset === true) {
          req.socket.destroy();
          return;
        }
        res.writeHead(final.status, { 'content-type': 'application/json', ...final.headers });
        res.end(final.body === undefined ? '' : JSON.stringify(final.body));
      };
      if (final.delayMs === undefined) write();
      else setTimeout(write, final.delayMs).unref();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A failure a test scripts for the next matching request, consumed in order (the array is shared
 * with the test, which may push more while the stand-in runs). `code`/`message` override the
 * provider's default error body for that status.
 */
export interface ScriptedFault {
  status: number;
  retryAfter?: number | string;
  code?: string | number;
  message?: string;
  delayMs?: number;
}

export function takeFault(faults: ScriptedFault[] | undefined): ScriptedFault | undefined {
  return faults?.shift();
}

export function retryAfterHeader(fault: ScriptedFault): Record<string, string> {
  return fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) };
}
