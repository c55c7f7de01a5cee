// What every request is checked for before authentication or a handler sees it, each refused with
// a 4xx problem naming the part at fault (never a 202 for a lead PostgreSQL or Temporal would
// later refuse, never a 500):
// - a path or query that is not valid percent-encoded UTF-8, or carries a NUL (%00);
// - a JSON body that is not UTF-8, not JSON, nested deeper than 32 levels, or carries a NUL or
//   an unpaired surrogate in any string (the field is named as a JSON path);
// - a body type no route reads (text/plain included): 415;
// - a query or path number that is not finite (`?limit=Infinity`, `?offset=1e400`), after validation.
import fp from 'fastify-plugin';
import type { FastifyReply } from 'fastify';
import { findTextProblem, jsonPointer } from '../../domain/text/checks.js';
import { sendProblem } from '../errors.js';

const MAX_DEPTH = 32;
const utf8 = new TextDecoder('utf-8', { fatal: true });

class BadInput extends Error {
  readonly statusCode = 400;
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Decodes one URL component strictly; null when it is not valid percent-encoded UTF-8. */
function decodeStrict(part: string): string | null {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/** The first problem in the raw request target, as [field, reason]. */
function urlProblem(url: string): [string, string] | null {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  for (const segment of path.split('/')) {
    const d = decodeStrict(segment);
    if (d === null) return ['path', 'the path is not valid percent-encoded UTF-8'];
    if (d.includes('\u0000')) return ['path', 'the path contains a NUL character (%00)'];
  }
  if (q < 0) return null;
  for (const pair of url.slice(q + 1).split('&')) {
    const [rawKey = '', rawValue = ''] = pair.split(/=(.*)/s);
    const key = decodeStrict(rawKey);
    if (key === null) return ['query', 'a query parameter name is not valid percent-encoded UTF-8'];
    const value = decodeStrict(rawValue);
    if (value === null) return [`query.${key}`, `query parameter "${key}" is not valid percent-encoded UTF-8`];
    if (`${key}${value}`.includes('\u0000')) return [`query.${key}`, `query parameter "${key}" contains a NUL character (%00)`];
  }
  return null;
}

/** For a body that is not UTF-8: the first string field that decoding had to repair. */
function fieldWithBadBytes(raw: Buffer): string {
  try {
    const lenient = JSON.parse(new TextDecoder('utf-8').decode(raw)) as unknown;
    const walk = (v: unknown, path: string): string | null => {
      if (typeof v === 'string') return v.includes('\uFFFD') ? path : null;
      if (v === null || typeof v !== 'object') return null;
      for (const [k, c] of Object.entries(v)) {
        if (k.includes('\uFFFD')) return path === '' ? k : `${path}.${k}`;
        const found = walk(c, Array.isArray(v) ? `${path}[${k}]` : path === '' ? k : `${path}.${k}`);
        if (found !== null) return found;
      }
      return null;
    };
    return walk(lenient, '') ?? 'body';
  } catch {
    return 'body';
  }
}

export const inputGuardPlugin = fp(
  async (app) => {
    app.addHook('onRequest', async (req, reply: FastifyReply) => {
      const bad = urlProblem(req.url);
      if (bad !== null) return sendProblem(reply, 400, bad[1], { errors: [{ field: bad[0], message: bad[1] }] });
    });

    // ajv coerces "Infinity" or "1e400" to Infinity for an integer and then skips its bounds
    // (maximum, minimum) for a number that is not finite: `?limit=Infinity` reached the database
    // layer as a 500 (found by the fuzzer). A parameter coerced to such a number is refused here,
    // after validation, for every route (the string in a query or a path is never itself a number).
    app.addHook('preHandler', async (req, reply: FastifyReply) => {
      for (const [part, values] of [
        ['query', req.query],
        ['path', req.params],
      ] as const) {
        if (typeof values !== 'object' || values === null) continue;
        for (const [key, v] of Object.entries(values)) {
          if (typeof v !== 'number' || Number.isFinite(v)) continue;
          const message = `${part} parameter "${key}" must be a finite number`;
          return sendProblem(reply, 400, message, { errors: [{ field: `${part}.${key}`, message }] });
        }
      }
    });

    // Fastify's own JSON parser decodes invalid UTF-8 into U+FFFD silently; this one refuses it.
    app.removeContentTypeParser(['application/json', 'text/plain']);
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, raw: Buffer, done) => {
      let text: string;
      try {
        text = utf8.decode(raw);
      } catch {
        const field = fieldWithBadBytes(raw);
        done(new BadInput(field === 'body' ? '/' : jsonPointer(field), `${field === 'body' ? 'the body' : field} is not valid UTF-8`), undefined);
        return;
      }
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        done(new BadInput('/', `the body is not valid JSON: ${(err as Error).message}`), undefined);
        return;
      }
      const problem = findTextProblem(value, '', MAX_DEPTH);
      if (problem !== null) {
        done(new BadInput(jsonPointer(problem.field), `${problem.field} ${problem.reason}`), undefined);
        return;
      }
      done(null, value);
    });
  },
  { name: 'input-guard' },
);
