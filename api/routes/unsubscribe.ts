// One-click unsubscribe (RFC 8058). Mail clients POST `List-Unsubscribe=One-Click` to the link in
// the List-Unsubscribe header; people who click the link in the footer get a page whose button
// POSTs the same. A GET never unsubscribes: link scanners and prefetchers follow every link.
// The token is an HMAC over lead + address, so the route needs no API key and cannot be forged.
import { unsubscribeEventId } from '../../domain/ids/index.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { addSuppression, getLead, recordLeadEvent } from '../../db/index.js';
import { verifyUnsubscribeToken } from '../../domain/tokens/signed-token.js';
import { signalLead } from '../webhooks/lead-events.js';
import { tokenLink } from '../token-link.js';

export const unsubscribeRoutes: FastifyPluginAsyncTypebox<{ secret: string | null }> = async (app, opts) => {
  tokenLink(app, {
    path: '/unsubscribe/:token',
    verify: (token) => (opts.secret === null ? null : verifyUnsubscribeToken(opts.secret, token)),
    invalid: 'this unsubscribe link is not valid',
    confirm: { title: 'Unsubscribe', body: '<p>Stop all messages to this address?</p><form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>' },
    async act(claim, token, req) {
      // One id per link: a mail client retrying the POST, or a person clicking twice, is one event.
      const eventId = unsubscribeEventId(token);
      const channel = claim.address.includes('@') ? 'email' : 'sms';
      // Suppressed here, not only by the workflow: it must hold even if the lead has finished.
      await addSuppression(app.db, { address: claim.address, channel, reason: 'unsubscribe', leadId: claim.leadId, eventId });
      if ((await getLead(app.db, claim.leadId)) !== undefined) {
        await recordLeadEvent(app.db, { leadId: claim.leadId, eventKey: eventId, type: 'unsubscribe', detail: { via: 'one-click' } });
        await signalLead(app.temporal, claim.leadId, { signal: 'unsubscribed', args: { eventId, via: 'one-click', channel } });
      }
      req.log.info({ leadId: claim.leadId }, 'unsubscribed');
      return { title: 'Unsubscribed', body: '<p>You are unsubscribed and will not hear from us again.</p>' };
    },
  });
};
