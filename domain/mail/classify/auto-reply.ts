// Auto-replies: RFC 3834 `Auto-Submitted` (anything but "no"), the vendor headers Exchange,
// Gmail and common autoresponders add, and out-of-office subjects for the mailers that add none.
// The return date is read from the text with chrono-node, relative to when the reply was sent.
import * as chrono from 'chrono-node';

const SUBJECT =
  /^(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|ooo\b|abwesenheit|absence|away from|on (annual )?leave|vacation|r[ée]ponse automatique|respuesta autom[áa]tica)/i;

export function isAutoReply(headers: Map<string, unknown>, subject: string | null): boolean {
  const get = (k: string) => {
    const v = headers.get(k);
    return typeof v === 'string' ? v.toLowerCase() : v === undefined ? null : JSON.stringify(v).toLowerCase();
  };
  const auto = get('auto-submitted');
  if (auto !== null && !auto.startsWith('no')) return true;
  if (get('x-autoreply') !== null || get('x-autorespond') !== null || get('x-auto-response') !== null) return true;
  if (get('x-ms-exchange-inbox-rules-loop') !== null || get('x-ms-exchange-generated-message-source') !== null)
    return SUBJECT.test((subject ?? '').replace(/^(re|aw|fw):\s*/i, ''));
  const precedence = get('precedence');
  if (precedence === 'auto_reply') return true;
  return SUBJECT.test((subject ?? '').replace(/^(re|aw|fw):\s*/i, '').trim());
}

/**
 * How far after the reply a return date may lie: a year of leave and a little. Past it, a date in
 * the text is not a return (a mangled "12026-11-30", found by the classifier fuzzer, or an expiry
 * date in a signature) and the follow-up must not wait for it.
 */
const RETURN_HORIZON_MS = 400 * 86_400_000;

/** The first date after `sentAt` that the text mentions near "back", "return" or "until"; else the first future date. */
export function returnDate(text: string, sentAt: Date): string | null {
  const results = chrono.parse(text, { instant: sentAt, timezone: 'UTC' }, { forwardDate: true });
  const future = results.filter((r) => {
    const after = r.start.date().getTime() - sentAt.getTime();
    return after > 0 && after <= RETURN_HORIZON_MS;
  });
  const cue = future.find((r) => /\b(back|return|returning|until|till|from|resume|office on)\b/i.test(text.slice(Math.max(0, r.index - 40), r.index)));
  const chosen = (cue ?? future[0])?.start;
  if (chosen === undefined) return null;
  const y = chosen.get('year');
  const m = chosen.get('month');
  const d = chosen.get('day');
  // A calendar date, YYYY-MM-DD, or none (a mail dated in the year 9999 has no return after it).
  if (y === null || m === null || d === null || y < 1000 || y > 9999) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
