// The preview of a campaign for one prospect: every step and variant rendered as that prospect
// would get it, with the warnings a careful human would raise before pressing start: a variable
// that came out empty, a custom column the prospect lacks, leftover braces or `{firstName}`
// placeholders of the old template syntax, `[Your Name]` placeholders, the default sender name
// "leadflow" in the text, the built-in dealer-style subject (whoever signs it), an empty subject or
// body, an SMS over one concatenated message.
import { isBuiltInSubject } from '../messages/templates.js';
import { LIMITS } from '../messages/validate.js';
import type { CampaignSpec, TemplateData } from './spec.js';
import { emptyOutputs, referencedVariables, renderTemplate } from './templates.js';

export type WarningCode =
  | 'render_error'
  | 'empty_variable'
  | 'missing_field'
  | 'old_placeholder'
  | 'stray_brace'
  | 'bracket_placeholder'
  | 'default_sender'
  | 'default_subject'
  | 'empty_text'
  | 'too_long';

export interface PreviewWarning {
  variant: string;
  part: 'subject' | 'body';
  code: WarningCode;
  message: string;
}

export interface PreviewStep {
  step: number;
  channel: 'email' | 'sms';
  delay: string;
  prompt: string | null;
  variants: Array<{ id: string; weight: number; subject: string | null; body: string }>;
  warnings: PreviewWarning[];
}

/** The sender name an unconfigured install signs with (LEADFLOW_SENDER_NAME's default). */
export const DEFAULT_SENDER_NAME = 'leadflow';

const OLD_PLACEHOLDER = /\{\s*[A-Za-z_][\w.]*\s*\}/g;
const BRACKET_PLACEHOLDER = /\[[A-Z][^\]\n]{0,40}\]/g;

/** Warnings about one rendered text (`template` is its source, `text` what the prospect gets, trimmed as the drafter sends it). */
function textWarnings(
  template: string,
  text: string,
  data: TemplateData,
  channel: 'email' | 'sms',
  part: 'subject' | 'body',
): Array<Omit<PreviewWarning, 'variant'>> {
  const w: Array<Omit<PreviewWarning, 'variant'>> = [];
  const add = (code: WarningCode, message: string) => w.push({ part, code, message });
  if (text.trim() === '') add('empty_text', `the ${part} is empty`);
  for (const v of referencedVariables(template)) {
    const name = v.startsWith('fields.') ? v.slice('fields.'.length) : null;
    if (name !== null && !Object.hasOwn(data.fields, name)) add('missing_field', `${v} is not a column of this prospect: it renders empty`);
  }
  for (const out of emptyOutputs(template, data)) add('empty_variable', `${out} rendered empty for this prospect (add a default: {{ x | default: "..." }})`);
  const old = [...new Set(text.match(OLD_PLACEHOLDER) ?? [])];
  for (const p of old) add('old_placeholder', `${p} is the old single-brace syntax and goes out as written: use {${p}}`);
  const rest = text.replace(OLD_PLACEHOLDER, '');
  if (/[{}]/.test(rest)) add('stray_brace', 'a { or } is left in the text (an unclosed or mistyped Liquid tag?)');
  for (const p of new Set(text.match(BRACKET_PLACEHOLDER) ?? [])) add('bracket_placeholder', `${p} looks like a placeholder left in the text`);
  if (new RegExp(`\\b${DEFAULT_SENDER_NAME}\\b`, 'i').test(text))
    add('default_sender', `the text names "${DEFAULT_SENDER_NAME}", the default sender name: set the campaign's senderName`);
  // Checked on the rendered text, so a subject that only becomes the default for some prospects is caught too.
  if (part === 'subject' && isBuiltInSubject(text))
    add('default_subject', `"${text}" is the built-in dealer-style subject, not one written for this campaign: write the campaign's own`);
  const limit = part === 'subject' ? LIMITS.emailSubject : channel === 'sms' ? LIMITS.smsBody : LIMITS.emailBody;
  if (text.length > limit) add('too_long', `the ${channel === 'sms' && part === 'body' ? 'SMS' : part} is ${text.length} characters, over ${limit}`);
  return w;
}

/** Renders every step and variant of `spec` for `prospect` (senderName comes from the spec). */
export function previewCampaign(spec: CampaignSpec, prospect: Omit<TemplateData, 'senderName'>): PreviewStep[] {
  const data: TemplateData = { ...prospect, senderName: spec.senderName };
  return spec.steps.map((s, i) => {
    const channel = s.channel ?? spec.channel;
    const warnings: PreviewWarning[] = [];
    const variants = s.variants.map((v) => {
      const render = (part: 'subject' | 'body', template: string): string => {
        try {
          const text = renderTemplate(template, data).trim();
          warnings.push(...textWarnings(template, text, data, channel, part).map((x) => ({ ...x, variant: v.id })));
          return text;
        } catch (err) {
          warnings.push({ variant: v.id, part, code: 'render_error', message: (err as Error).message });
          return '';
        }
      };
      const subject = channel === 'email' ? render('subject', v.subject ?? '') : null;
      return { id: v.id, weight: v.weight, subject, body: render('body', v.body) };
    });
    return { step: i + 1, channel, delay: s.delay, prompt: s.prompt ?? null, variants, warnings };
  });
}
