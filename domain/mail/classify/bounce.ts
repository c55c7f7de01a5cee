// Bounces: RFC 3464 delivery status notifications (the machine-readable part every modern MTA
// sends: Postfix, Exchange, Gmail) and, for the mailers that send only prose, the status code or
// phrase in the text. RFC 3463 codes decide the type: 5.1.x (bad address) is hard, 4.x.x is a
// delay (soft), 5.7.x (policy, spam, authentication) is a block; a full mailbox (x.2.2) is soft.
import type { BounceInfo, BounceType } from './types.js';

export function bounceTypeFor(status: string | null, diagnostic: string | null): BounceType {
  const text = (diagnostic ?? '').toLowerCase();
  const policy = /\b(spam|blocked|blacklist|block ?list|reputation|policy|dmarc|spf|not authori[sz]ed)\b/.test(text);
  if (status !== null) {
    if (status.startsWith('5.1.')) return 'hard';
    if (status.startsWith('4.')) return 'soft';
    if (status.startsWith('5.7.') || policy) return 'block';
    if (status.startsWith('5.2.')) return 'soft'; // mailbox full / disabled for now
    return 'hard';
  }
  if (policy) return 'block';
  return /\b(mailbox (is )?full|over ?quota|temporar|try again later)\b/.test(text) ? 'soft' : 'hard';
}

/** One field of a delivery-status block (`Status: 5.1.1`, `Diagnostic-Code: smtp; 550 ...`). */
function field(block: string, name: string): string | null {
  const m = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t]+.*)*)`, 'im').exec(block);
  return m?.[1]?.replace(/\r?\n[ \t]+/g, ' ').trim() ?? null;
}

/** RFC 3464: the per-recipient fields of a message/delivery-status body. Null if it reports no failure. */
export function parseDeliveryStatus(text: string): BounceInfo | null {
  // Per-message fields come first; per-recipient blocks follow, separated by blank lines.
  const blocks = text.split(/\r?\n\r?\n/).filter((b) => /^(Final|Original)-Recipient:/im.test(b) || /^Status:/im.test(b));
  const failed = blocks.find((b) => /^Action:\s*(failed|delayed)/im.test(b)) ?? blocks[0];
  if (failed === undefined) return null;
  const action = field(failed, 'Action')?.toLowerCase() ?? null;
  if (action !== null && action !== 'failed' && action !== 'delayed') return null;
  const status = /(\d\.\d{1,3}\.\d{1,3})/.exec(field(failed, 'Status') ?? '')?.[1] ?? null;
  const diagnostic = field(failed, 'Diagnostic-Code')?.replace(/^smtp;\s*/i, '') ?? null;
  const recipient = (field(failed, 'Final-Recipient') ?? field(failed, 'Original-Recipient'))?.replace(/^rfc822;\s*/i, '') ?? null;
  const type = action === 'delayed' ? 'soft' : bounceTypeFor(status, diagnostic);
  return { type, recipient: recipient?.toLowerCase() ?? null, status, diagnostic };
}

const DAEMON = /^(mailer-daemon|postmaster|mail delivery (subsystem|system)|microsoftexchange)/i;
const BOUNCE_SUBJECT =
  /(undeliver|delivery status notification|delivery (has )?failed|failure notice|returned mail|mail delivery failed|could not be delivered|non-delivery)/i;

/** Prose bounces (no delivery-status part): from a mailer daemon, with a bounce subject. */
export function parseTextBounce(from: string | null, fromName: string | null, subject: string | null, text: string): BounceInfo | null {
  const daemon = DAEMON.test(from ?? '') || DAEMON.test(fromName ?? '');
  if (!daemon || !BOUNCE_SUBJECT.test(subject ?? '')) return null;
  const status = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(text)?.[1] ?? null;
  const smtp = /\b([45]\d\d)[ -](?:[245]\.\d{1,3}\.\d{1,3} )?([^\n]{0,200})/.exec(text);
  // An address starts where a run of address characters does (the lookbehind): tried from every
  // position of a long run, `[\w.+-]+@` rescanned the rest of it each time (quadratic, found by the fuzzer).
  const recipient = /(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+/.exec(text.replace(/mailer-daemon@\S+|postmaster@\S+/gi, ''))?.[0] ?? null;
  const diagnostic = smtp !== null ? `${smtp[1]} ${smtp[2]?.trim() ?? ''}`.trim() : null;
  const status4 = status ?? (smtp?.[1]?.startsWith('4') ? '4.0.0' : null);
  return { type: bounceTypeFor(status4, diagnostic ?? text.slice(0, 500)), recipient: recipient?.toLowerCase() ?? null, status: status4, diagnostic };
}
