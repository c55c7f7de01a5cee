// The shape every signed-token link shares (one-click unsubscribe, handover acknowledgement): no
// API key, the token verified before anything else, a GET that only shows a confirmation button
// (mail scanners and prefetchers follow every link), and a POST that acts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sendProblem } from './errors.js';
import { HtmlResponse, Problem, TokenParams, Unexpected } from './schemas/common.js';

export interface HtmlPage {
  title: string;
  body: string;
}

export const htmlPage = (p: HtmlPage): string =>
  `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${p.title}</title></head><body style="font-family:sans-serif;max-width:32rem;margin:3rem auto">${p.body}</body></html>`;

export interface TokenLinkOptions<C> {
  /** e.g. `/unsubscribe/:token`. */
  path: string;
  /** The token's claim, or null when it is not valid (unknown, altered or expired). */
  verify: (token: string) => Promise<C | null>;
  invalid: string;
  confirm: HtmlPage;
  act: (claim: C, token: string, req: FastifyRequest) => Promise<HtmlPage>;
}

/** Registers the GET and POST of one token link; call inside the route plugin (the form parser stays encapsulated there). */
export function tokenLink<C>(app: FastifyInstance, o: TokenLinkOptions<C>): void {
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    // The POST body (List-Unsubscribe=One-Click, or the button's form) carries nothing we need.
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  }
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  // No body schema: the POST's body carries nothing we read.
  const schema = { params: TokenParams, response: { 200: HtmlResponse, 404: Problem, ...Unexpected } };
  typed.get(o.path, { config: { auth: false }, schema }, async (req, reply) => {
    if ((await o.verify(req.params.token)) === null) return sendProblem(reply, 404, o.invalid);
    return reply.type('text/html').send(htmlPage(o.confirm));
  });
  typed.post(o.path, { config: { auth: false }, schema }, async (req, reply) => {
    const claim = await o.verify(req.params.token);
    if (claim === null) return sendProblem(reply, 404, o.invalid);
    return reply.type('text/html').send(htmlPage(await o.act(claim, req.params.token, req)));
  });
}
