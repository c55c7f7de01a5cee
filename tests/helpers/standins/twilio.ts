// Twilio REST stand-in: basic auth with the account SID and auth token, Twilio's error shape.
import { startStandIn, type StandIn } from './http.js';

export async function startTwilio(opts: { accountSid: string; authToken: string; status?: string }): Promise<StandIn> {
  const expected = 'Basic ' + Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64');
  const error = (status: number, code: number, message: string) => ({ status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } });
  return startStandIn([
    {
      method: 'GET', path: /^\/2010-04-01\/Accounts\/([^/]+)\.json$/,
      handle: (req, m) => {
        if (req.headers.authorization !== expected) return error(401, 20003, 'Authenticate');
        if (m[1] !== opts.accountSid) return error(404, 20404, `The requested resource /2010-04-01/Accounts/${m[1]}.json was not found`);
        return {
          status: 200,
          body: {
            sid: opts.accountSid, friendly_name: 'Stand-in Dealer Group', status: opts.status ?? 'active', type: 'Full',
            date_created: 'Mon, 02 Mar 2026 10:00:00 +0000', date_updated: 'Mon, 02 Mar 2026 10:00:00 +0000', owner_account_sid: opts.accountSid,
            auth_token: opts.authToken, uri: `/2010-04-01/Accounts/${opts.accountSid}.json`, subresource_uris: {},
          },
        };
      },
    },
  ], () => error(404, 20404, 'The requested resource was not found'));
}
