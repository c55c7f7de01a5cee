// What every outbound e-mail carries besides the draft: one-click unsubscribe headers (RFC 8058,
// required by Gmail and Yahoo for bulk senders) and the sender's postal address (CAN-SPAM).
// Applied in the send activity, so no code path can send an e-mail without them.
import type { OutboundMessage } from './transports.js';
import { unsubscribeToken } from '../../domain/tokens/signed-token.js';
import { publicUrl } from '../../domain/links.js';
import { plusAddress, replyToken } from '../../domain/ids/index.js';

export interface ComposeConfig {
  /** Where the API serves /unsubscribe/:token; the HMAC secret that signs the tokens. */
  unsubscribe: { publicUrl: string; secret: string; mailto: string | null };
  /** Appended to every e-mail body when set. */
  postalAddress: string | null;
  /** Right-hand side of our Message-IDs (the sending domain). */
  messageIdDomain: string;
  /** REPLY_TO_ADDRESS: replies go to its plus-address with the message's token (optional). */
  replyTo?: string | null;
}

export function unsubscribeUrl(cfg: ComposeConfig['unsubscribe'], token: string): string {
  return publicUrl(cfg.publicUrl, `unsubscribe/${token}`);
}

/** The e-mail as sent, and the unsubscribe token its links carry (stored with its outbox row). */
export function composeEmail(msg: OutboundMessage, cfg: ComposeConfig): OutboundMessage & { unsubscribeToken?: string } {
  if (msg.channel !== 'email') return msg;
  const token = unsubscribeToken(cfg.unsubscribe.secret, { leadId: msg.leadId, address: msg.to });
  const url = unsubscribeUrl(cfg.unsubscribe, token);
  const targets = [`<${url}>`, ...(cfg.unsubscribe.mailto !== null ? [`<mailto:${cfg.unsubscribe.mailto}?subject=unsubscribe>`] : [])];
  const footer = [`To stop receiving these e-mails: ${url}`, ...(cfg.postalAddress !== null ? [cfg.postalAddress] : [])].join('\n');
  return {
    ...msg,
    unsubscribeToken: token,
    ...(cfg.replyTo != null && { replyTo: plusAddress(cfg.replyTo, replyToken(msg.idempotencyKey)) }),
    text: `${msg.text}\n\n--\n${footer}`,
    headers: { ...msg.headers, 'List-Unsubscribe': targets.join(', '), 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  };
}
