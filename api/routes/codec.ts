// The codec server for the Temporal Web UI. Temporal stores every leadflow payload encrypted
// (temporal/codec.ts); the UI shows plaintext only by sending the payloads it displays to
// `{endpoint}/decode` (and what an operator types, e.g. a signal's input, to `{endpoint}/encode`)
// from the browser. Two forms of the endpoint, both never open:
//
// - `/codec` (the UI calls /codec/decode): `Authorization: Bearer <credential>` — an API key with
//   the read scope, or a codec access token (CODEC_ACCESS_TOKEN). This is what a UI that passes a
//   bearer itself (a script, the CLI, a proxy adding the header) uses.
// - `/codec/t/<credential>` (the UI calls /codec/t/<credential>/decode): the same credential in the
//   path, for UIs that cannot add a header of ours — the dev server's UI has no login, and a UI's
//   "pass access token" sends its own OIDC token. `leadflow up` hands its dev UI this form with a
//   token generated at start. The path segment is redacted from every log line and problem answer.
//
// CORS: the UI's origins only (TEMPORAL_UI_URL's, CODEC_ALLOWED_ORIGINS); a preflight needs no
// credential, a request from any other origin gets no CORS headers and so is unreadable.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Payload } from '@temporalio/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { findActiveApiKey } from '../../db/index.js';
import { AesGcmCodec, ENCRYPTED_ENCODING, PayloadKeyError, type PayloadKey } from '../../temporal/codec.js';
import { sendProblem } from '../errors.js';
import { CodecBody, CodecResult, CodecTokenParams, type JsonPayload } from '../schemas/codec.js';
import { KeyProblems, Problem } from '../schemas/common.js';

export interface CodecOptions {
  /** PAYLOAD_ENCRYPTION_KEYS: the first encrypts, every one decrypts. */
  keys: PayloadKey[];
  /** Codec access tokens (CODEC_ACCESS_TOKEN, the one `leadflow up` generates for its dev UI). */
  accessTokens?: string[];
  /** Origins of the Web UIs allowed to call from a browser, e.g. `http://127.0.0.1:8233`. */
  allowedOrigins: string[];
}

const ALLOW_METHODS = 'POST, OPTIONS';
const ALLOW_HEADERS = 'content-type, authorization, x-namespace';
const TOKEN_PATH = /\/codec\/t\/[^/?#"\s]*/g;

/** The text (a request target, a problem answer) with the credential of `/codec/t/<credential>/...` blanked out. */
export const redactCodecUrl = (text: string): string => text.replace(TOKEN_PATH, '/codec/t/[redacted]');

// Route-level log serializer: fastify's own `req` serializer, minus the credential in the URL.
const logSerializers = {
  req: (req: FastifyRequest) => ({
    method: req.method,
    url: redactCodecUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }),
};

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
const sameSecret = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});
const metaText = (p: JsonPayload, key: string): string | null => {
  const v = p.metadata?.[key];
  return v === undefined ? null : Buffer.from(v, 'base64').toString('utf8');
};

export const codecRoutes: FastifyPluginAsyncTypebox<CodecOptions> = async (app, opts) => {
  const codec = new AesGcmCodec(opts.keys);
  const origins = new Set(opts.allowedOrigins.map((o) => new URL(o).origin));
  const tokens = (opts.accessTokens ?? []).filter((t) => t !== '');

  const instance = (req: FastifyRequest) => ({ instance: redactCodecUrl(req.url) });
  const unauthorized = (req: FastifyRequest, reply: FastifyReply, detail: string) =>
    sendProblem(reply.header('www-authenticate', 'Bearer realm="leadflow-codec"'), 401, detail, instance(req));

  /** The credential: the path segment of the token form, else the bearer (or X-API-Key) header. */
  const presented = (req: FastifyRequest): string | null => {
    const params = req.params as { token?: unknown };
    if (typeof params.token === 'string') return params.token === '' ? null : params.token;
    const header = req.headers.authorization;
    if (typeof header === 'string' && /^Bearer\s+/i.test(header)) return header.replace(/^Bearer\s+/i, '').trim() || null;
    const x = req.headers['x-api-key'];
    return typeof x === 'string' && x.trim() !== '' ? x.trim() : null;
  };

  // Route-level onRequest: after the app's rate limit and input guard, before the body is read.
  const authorize = async (req: FastifyRequest, reply: FastifyReply) => {
    const credential = presented(req);
    if (credential === null)
      return unauthorized(
        req,
        reply,
        'the codec needs an API key with the read scope or the codec access token (as Authorization: Bearer, or in the endpoint path)',
      );
    // Every token is compared, so the time taken does not tell which one (or how much) matched.
    const tokenMatches = tokens.map((t) => sameSecret(t, credential));
    if (tokenMatches.includes(true)) return;
    const key = await findActiveApiKey(app.db, credential);
    if (key === undefined) return unauthorized(req, reply, 'the API key or codec access token is unknown or revoked');
    if (key.scopes.length === 0) return sendProblem(reply, 403, 'the codec needs the "read" scope; the key has none', instance(req));
    // Every scope grants read (admin ⊃ write ⊃ read). Set for the per-key rate limit.
    req.apiKey = key;
  };

  // CORS on every codec answer (refusals included, so the UI can show why) for the UI's origins only.
  app.addHook('onSend', async (req, reply, payload) => {
    void reply.header('vary', 'Origin');
    const origin = req.headers.origin;
    if (typeof origin === 'string' && origins.has(origin)) {
      void reply
        .header('access-control-allow-origin', origin)
        .header('access-control-allow-credentials', 'true')
        .header('cross-origin-resource-policy', 'cross-origin');
    }
    // A problem answer echoes the request target (the app's rate limit and error handler too):
    // never with the credential in it.
    return reply.statusCode >= 400 && typeof payload === 'string' ? redactCodecUrl(payload) : payload;
  });

  const preflight = async (req: FastifyRequest, reply: FastifyReply) => {
    const origin = req.headers.origin;
    if (typeof origin === 'string' && origins.has(origin)) {
      void reply
        .header('access-control-allow-methods', ALLOW_METHODS)
        .header('access-control-allow-headers', ALLOW_HEADERS)
        .header('access-control-max-age', '600');
      // Chrome's Private Network Access: a public UI (Temporal Cloud) calling a codec on a private address.
      if (req.headers['access-control-request-private-network'] === 'true') void reply.header('access-control-allow-private-network', 'true');
    }
    return reply.status(204).send();
  };

  const decode = async (body: CodecBody, req: FastifyRequest, reply: FastifyReply) => {
    const out: JsonPayload[] = [];
    for (const [i, raw] of body.payloads.entries()) {
      // Not ours (written before encryption, or by another codec): shown as stored.
      if (metaText(raw, 'encoding') !== ENCRYPTED_ENCODING) {
        out.push(raw);
        continue;
      }
      try {
        const [plain] = await codec.decode([fromJson(raw)]);
        out.push(toJson(plain ?? {}));
      } catch (err) {
        const keyId = metaText(raw, 'encryption-key-id') ?? '';
        const detail =
          err instanceof PayloadKeyError
            ? err.message
            : `payload encrypted with key "${keyId}" could not be decrypted: it was altered, or encrypted with a different key of that id`;
        req.log.warn({ keyId, index: i }, 'codec could not decrypt a payload');
        return sendProblem(reply, 400, detail, { ...instance(req), keyId, errors: [{ field: `/payloads/${i}`, message: detail }] });
      }
    }
    return { payloads: out };
  };
  const encode = async (body: CodecBody) => ({ payloads: (await codec.encode(body.payloads.map(fromJson))).map(toJson) });

  const schema = (summary: string) => ({
    summary,
    tags: ['codec'],
    body: CodecBody,
    response: { 200: CodecResult, 400: Problem, ...KeyProblems },
  });
  const noAuth = { auth: false as const };

  // Bearer form.
  app.post(
    '/codec/decode',
    { config: noAuth, onRequest: authorize, schema: schema('Decrypt payloads for the Temporal Web UI (codec server)') },
    async (req, reply) => decode(req.body, req, reply),
  );
  app.post('/codec/encode', { config: noAuth, onRequest: authorize, schema: schema('Encrypt payloads for the Temporal Web UI (codec server)') }, async (req) =>
    encode(req.body),
  );
  app.options('/codec/decode', { config: noAuth, schema: { hide: true } }, preflight);
  app.options('/codec/encode', { config: noAuth, schema: { hide: true } }, preflight);

  // Credential-in-path form: undocumented in OpenAPI (its path is a secret), logged redacted.
  const tokenRoute = { config: noAuth, logSerializers, schema: { hide: true, params: CodecTokenParams } };
  app.post('/codec/t/:token/decode', { ...tokenRoute, onRequest: authorize, schema: { ...tokenRoute.schema, body: CodecBody } }, async (req, reply) =>
    decode(req.body, req, reply),
  );
  app.post('/codec/t/:token/encode', { ...tokenRoute, onRequest: authorize, schema: { ...tokenRoute.schema, body: CodecBody } }, async (req) =>
    encode(req.body),
  );
  app.options('/codec/t/:token/decode', tokenRoute, preflight);
  app.options('/codec/t/:token/encode', tokenRoute, preflight);
  // Anything else under the token form is a 404 here rather than in the app's not-found handler,
  // which would log the path with the credential.
  app.all('/codec/t/*', { config: noAuth, logSerializers, schema: { hide: true } }, async (req, reply) =>
    sendProblem(reply, 404, `no route for ${req.method} ${redactCodecUrl(req.url)}`, instance(req)),
  );
};
