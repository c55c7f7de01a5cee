// SendGrid v3 stand-in: bearer-key auth and the error body SendGrid sends.
import { startStandIn, type StandIn } from './http.js';

export async function startSendGrid(opts: { apiKey: string; scopes?: string[] }): Promise<StandIn> {
  const unauthorized = { status: 401, body: { errors: [{ field: null, message: 'The provided authorization grant is invalid, expired, or revoked' }] } };
  const authed = (h: string | undefined) => h === `Bearer ${opts.apiKey}`;
  return startStandIn([
    { method: 'GET', path: /^\/v3\/scopes$/, handle: (req) => (authed(req.headers.authorization) ? { status: 200, body: { scopes: opts.scopes ?? ['mail.send'] } } : unauthorized) },
  ], () => ({ status: 404, body: { errors: [{ field: null, message: 'resource not found' }] } }));
}
