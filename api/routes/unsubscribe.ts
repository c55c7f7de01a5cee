// One-click unsubscribe (RFC 8058). Mail clients POST `List-Unsubscribe=One-Click` to the link in
// the List-Unsubscribe header; people who click the link in the footer get a page whose button
// POSTs the same. A GET never unsubscribes: link scanners and prefetchers follow every link.
// The token names the lead and address it was minted for (domain/tokens), so the route needs no
// API key and cannot be forged; any spelling but the canonical one is refused.
import { unsubscribeEventId } from '../../domain/ids/index.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { addSuppression, findOutboxByUnsubscribeToken, getLead, recordLeadEvent } from '../../db/index.js';
import { isLinkToken, linkTokenMatches, verifyUnsubscribeToken, type UnsubscribeClaim } from '../../domain/tokens/signed-token.js';
import { signalLead } from '../webhooks/lead-events.js';
import { tokenLink } from '../token-link.js';

export const unsubscribeRoutes: FastifyPluginAsyncTypebox<{ secret: string | null }> = async (app, opts) => {
  tokenLink(app, {
    path: '/unsubscribe/:token',
    async verify(token): Promise<UnsubscribeClaim | null> {
      const secret = opts.secret;
      if (secret === null) return null;
      if (!isLinkToken(token)) return verifyUnsubscribeToken(secret, token); // links in mail sent before link tokens
      const row = await findOutboxByUnsubscribeToken(app.db, token);
      if (row === undefined || !linkTokenMatches(secret, 'unsubscribe', token, [row.lead_id, row.recipient])) return null;
      return { leadId: row.lead_id, address: row.recipient };
    },
    invalid: 'this unsubscribe link is not valid',
    confirm: {
      title: 'Unsubscribe',
      body: '<p>Stop all messages to this address?</p><form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>',
    },
    async act(claim, _token, req) {
      // One id per lead and address: a mail client retrying the POST, a person clicking twice, or
      // links of several messages are one unsubscribe.
      const eventId = unsubscribeEventId(claim.leadId, claim.address);
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
