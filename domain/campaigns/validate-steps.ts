// A campaign's steps: delays, channels, the AI prompt and the A/B variants, each template parsed,
// checked in every branch and rendered against SAMPLE_PROSPECT in strict mode. A problem names
// the step (1-based, as operators count), the variant, subject or body, and the culprit.
import type { TemplateData } from './spec.js';
import { at, duration, isRecord, refuseUnknown, type Problems } from './checks.js';
import { renderTemplate, TemplateError } from './templates.js';

export const MAX_STEPS = 20;
export const MAX_VARIANTS = 10;
const MAX_SUBJECT = 500;
const MAX_PROMPT = 2000;
const STEP_KEYS = ['delay', 'channel', 'prompt', 'variants'] as const;
const VARIANT_KEYS = ['id', 'weight', 'subject', 'body'] as const;
const VARIANT_ID = /^[A-Za-z0-9_-]{1,32}$/;

type Channel = 'email' | 'sms';

function checkTemplate(out: Problems, text: string, path: string, where: string, sample: TemplateData): void {
  try {
    if (renderTemplate(text, sample).trim() === '') out.push({ path, reason: `${where} renders empty for the sample prospect` });
  } catch (err) {
    const reason = err instanceof TemplateError ? err.message : String(err);
    out.push({ path, reason: `${where}: ${reason}` });
  }
}

function checkVariant(out: Problems, v: unknown, path: string, step: number, channel: Channel | null, sample: TemplateData): string | null {
  if (!isRecord(v)) {
    out.push({ path, reason: 'must be an object { id, weight, subject?, body }' });
    return null;
  }
  refuseUnknown(out, v, VARIANT_KEYS, path);
  const id = typeof v.id === 'string' && VARIANT_ID.test(v.id) ? v.id : null;
  if (id === null) out.push({ path: at(path, 'id'), reason: v.id === undefined ? 'required' : 'must be 1–32 of A–Z a–z 0–9 _ -' });
  if (typeof v.weight !== 'number' || !Number.isFinite(v.weight) || v.weight <= 0)
    out.push({ path: at(path, 'weight'), reason: v.weight === undefined ? 'required' : 'must be a finite number above 0' });
  const where = (part: string) => `step ${step} variant ${id ?? '?'} ${part}`;
  if (typeof v.body !== 'string' || v.body.trim() === '')
    out.push({ path: at(path, 'body'), reason: v.body === undefined ? 'required' : 'must be a non-empty string' });
  else checkTemplate(out, v.body, at(path, 'body'), where('body'), sample);
  const subject = v.subject;
  if (channel === 'sms' && subject !== undefined && subject !== null)
    out.push({ path: at(path, 'subject'), reason: 'an SMS step has no subject (leave it out)' });
  if (channel === 'email') {
    if (typeof subject !== 'string' || subject.trim() === '') out.push({ path: at(path, 'subject'), reason: 'an e-mail step needs a subject' });
    else if (subject.length > MAX_SUBJECT) out.push({ path: at(path, 'subject'), reason: `is ${subject.length} characters, over ${MAX_SUBJECT}` });
    else if (/[\r\n]/.test(subject)) out.push({ path: at(path, 'subject'), reason: 'must be one line' });
    else checkTemplate(out, subject, at(path, 'subject'), where('subject'), sample);
  }
  return id;
}

function checkStep(out: Problems, s: unknown, i: number, campaignChannel: Channel | null, sample: TemplateData): Channel | null {
  const path = `steps[${i}]`;
  if (!isRecord(s)) {
    out.push({ path, reason: 'must be an object { delay, channel?, prompt?, variants }' });
    return null;
  }
  refuseUnknown(out, s, STEP_KEYS, path);
  duration(out, s.delay, at(path, 'delay'));
  let channel = campaignChannel;
  if (s.channel !== undefined) {
    if (s.channel === 'email' || s.channel === 'sms') channel = s.channel;
    else {
      out.push({ path: at(path, 'channel'), reason: 'must be "email" or "sms"' });
      channel = null;
    }
  }
  if (s.prompt !== undefined && s.prompt !== null && (typeof s.prompt !== 'string' || s.prompt.trim() === '' || s.prompt.length > MAX_PROMPT))
    out.push({ path: at(path, 'prompt'), reason: `must be null or a non-empty instruction of at most ${MAX_PROMPT} characters` });
  if (!Array.isArray(s.variants) || s.variants.length === 0 || s.variants.length > MAX_VARIANTS) {
    out.push({ path: at(path, 'variants'), reason: `must list 1 to ${MAX_VARIANTS} variants` });
    return channel;
  }
  const seen = new Set<string>();
  s.variants.forEach((v, j) => {
    const id = checkVariant(out, v, `${path}.variants[${j}]`, i + 1, channel, sample);
    if (id === null) return;
    if (seen.has(id)) out.push({ path: `${path}.variants[${j}].id`, reason: `variant id "${id}" is used twice in step ${i + 1}` });
    seen.add(id);
  });
  return channel;
}

/** Checks the steps; returns the channels they send on (for the inbox check), or null if the list itself is unusable. */
export function checkSteps(out: Problems, steps: unknown, campaignChannel: Channel | null, sample: TemplateData): { channels: Set<Channel> } | null {
  if (!Array.isArray(steps) || steps.length === 0 || steps.length > MAX_STEPS) {
    out.push({ path: 'steps', reason: steps === undefined ? 'required' : `must list 1 to ${MAX_STEPS} steps` });
    return null;
  }
  const channels = new Set<Channel>();
  steps.forEach((s, i) => {
    const c = checkStep(out, s, i, campaignChannel, sample);
    if (c !== null) channels.add(c);
  });
  return { channels };
}
