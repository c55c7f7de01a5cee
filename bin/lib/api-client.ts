// The CLI's way to the HTTP API, for commands whose work belongs to the API (a streamed prospect
// import: the same checks, idempotency and signalling as any client) rather than to the database.
// Where: LEADFLOW_API_URL, else the local API (API_PUBLIC_URL, or http://API_HOST:API_PORT/).
// Key: LEADFLOW_API_KEY only — never a flag, so it lands in neither shell history nor `ps`.
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

export interface ApiTarget {
  base: URL;
  key: string;
}

/** An answer that is not 2xx: the problem's detail and field errors, ready to print. */
export class ApiProblemError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { detail?: string; errors?: Array<{ field: string; message?: string }> } | null,
    raw: string,
  ) {
    const detail = problem?.detail ?? (raw.trim().slice(0, 500) || 'no detail');
    const fields = (problem?.errors ?? []).map((e) => `\n  ${e.field}: ${e.message ?? 'invalid'}`).join('');
    super(`HTTP ${status}: ${detail}${fields}`);
  }
}

export async function apiTarget(): Promise<ApiTarget> {
  const key = process.env.LEADFLOW_API_KEY?.trim() ?? '';
  // Checked first: without a key nothing can succeed, and the message says what to set.
  if (key === '') throw new Error('LEADFLOW_API_KEY is not set: create a key with `leadflow apikey create --name cli --scopes read,write`');
  const explicit = process.env.LEADFLOW_API_URL?.trim();
  let base: string;
  if (explicit !== undefined && explicit !== '') base = explicit;
  else {
    // Loaded only here: an explicit URL needs none of the server configuration.
    const { loadConfig } = await import('../../config/index.js');
    base = loadConfig().api.publicUrl;
  }
  try {
    return { base: new URL(base.endsWith('/') ? base : `${base}/`), key };
  } catch {
    throw new Error(`LEADFLOW_API_URL is not a URL: "${base}"`);
  }
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

/**
 * One request. A streamed body is written as it is read (`onSent` counts the bytes); the server
 * may answer before reading it all (a 413), and that answer wins over the broken pipe it causes.
 */
export function apiRequest(
  target: ApiTarget,
  method: 'GET' | 'POST' | 'PATCH',
  path: string,
  o: { json?: unknown; stream?: Readable; headers?: Record<string, string>; onSent?: (bytes: number) => void } = {},
): Promise<ApiAnswer> {
  const url = new URL(path.replace(/^\//, ''), target.base);
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json', authorization: `Bearer ${target.key}`, ...o.headers };
  const payload = o.json === undefined ? null : Buffer.from(JSON.stringify(o.json));
  if (payload !== null) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(payload.length) });
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = (url.protocol === 'https:' ? https : http).request(url, { method, headers }, (res) => {
      answered = true;
      o.stream?.unpipe(req);
      o.stream?.destroy();
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: unknown = raw;
        try {
          body = raw === '' ? null : JSON.parse(raw);
        } catch {
          /* not JSON: kept as text for the message */
        }
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve({ status, body });
        else reject(new ApiProblemError(status, typeof body === 'object' ? body : null, raw));
      });
    });
    req.on('error', (err) => {
      // EPIPE/ECONNRESET after the answer came: the server stopped reading, as it said it would.
      if (!answered) reject(new Error(`cannot reach the API at ${target.base.href}: ${err.message}`));
    });
    if (o.stream !== undefined) {
      let sent = 0;
      o.stream.on('data', (c: Buffer) => o.onSent?.((sent += c.length)));
      o.stream.on('error', (err) => {
        req.destroy();
        if (!answered) reject(err);
      });
      o.stream.pipe(req);
    } else req.end(payload ?? undefined);
  });
}
