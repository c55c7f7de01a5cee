// Rules every outbound draft must pass before it can be sent. They guard against the model's
// known failure modes (rambling, compliance-sensitive promises, talking about the wrong car,
// leaving "[Your Name]" placeholders) and apply to the AI path only: templates are reviewed text.
import type { DraftContext } from './draft-types.js';

export const LIMITS = { smsBody: 320, emailBody: 2000, emailSubject: 150 } as const;

/** Promises a dealer cannot make in writing, and tells that a machine wrote the message. */
export const BANNED_PHRASES = [
  'guaranteed approval',
  'guaranteed financing',
  'guaranteed credit',
  '100% approval',
  'no credit check',
  'as an ai',
  'language model',
  'i cannot browse',
  'lowest price guaranteed',
  'act now',
];

const PLACEHOLDER = /\[[A-Z][^\]]{0,40}\]|\{\{?\s*[A-Za-z_]+\s*\}?\}/;

/** Null when the draft is acceptable, otherwise the first rule it breaks (for the fallback's detail). */
export function validateDraft(ctx: DraftContext, draft: { subject: string | null; body: string }): string | null {
  const body = draft.body.trim();
  if (body === '') return 'body is empty';
  const limit = ctx.channel === 'sms' ? LIMITS.smsBody : LIMITS.emailBody;
  if (body.length > limit) return `body is ${body.length} characters, over the ${ctx.channel} limit of ${limit}`;
  if (ctx.channel === 'email') {
    const subject = draft.subject?.trim() ?? '';
    if (subject === '') return 'e-mail subject is empty';
    if (/[\r\n]/.test(subject)) return 'subject spans more than one line';
    if (subject.length > LIMITS.emailSubject) return `subject is ${subject.length} characters, over ${LIMITS.emailSubject}`;
  }
  const text = `${draft.subject ?? ''}\n${body}`.toLowerCase();
  const banned = BANNED_PHRASES.find((p) => text.includes(p));
  if (banned !== undefined) return `contains banned phrase "${banned}"`;
  const placeholder = PLACEHOLDER.exec(`${draft.subject ?? ''}\n${body}`);
  if (placeholder !== null) return `contains unfilled placeholder ${placeholder[0]}`;
  // The model name is what the lead typed into the form; a reply that never names it reads as spam.
  const model = ctx.lead.vehicles[0]?.model?.trim();
  if (model !== undefined && model !== '' && !text.includes(model.toLowerCase())) return `does not mention the ${model}`;
  return null;
}
