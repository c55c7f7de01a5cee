// Validates a campaign whole before it is stored: every problem is collected (not just the
// first), each named by its path, unknown fields refused by name. The templates are checked in
// strict Liquid against SAMPLE_PROSPECT (templates.ts), the window must open every week, and the
// inboxes must exist, be active and fit the channels the steps send on.
//
// PATCH (validateCampaignPatch): a merge-patch of top-level fields. A key replaces the current
// value whole (`steps`, `window`, `handover` included: no deep merge, so a step list is never
// half old, half new); null removes an optional field (its default applies) and is refused for a
// required one. The result is validated whole like a new campaign. What a change reaches: the
// drafter reads the campaign's current spec when each message is drafted, so step content
// (subject, body, prompt, variants) reaches every lead for the steps it has not been sent yet;
// delays, the step list's length and the rest of the lead's plan are fixed when the lead starts,
// so they apply to leads started after the change.
import { DEFAULT_SCORING_WEIGHTS, type ScoringWeights } from '../lead/scoring-types.js';
import type { CampaignSpec, TemplateData } from './spec.js';
import { SAMPLE_PROSPECT } from './spec.js';
import { duration, isInt, isRecord, nonEmptyString, refuseUnknown, type Problem, type Problems } from './checks.js';
import { checkSteps } from './validate-steps.js';
import { checkWindow } from './validate-window.js';

export type { Problem } from './checks.js';

export interface CampaignContext {
  /** The inboxes that exist (registry and implicit), by ID. */
  inboxes: ReadonlyMap<string, { channel: 'email' | 'sms'; active: boolean }>;
}

export type CampaignValidation = { ok: true; spec: CampaignSpec } | { ok: false; problems: Problem[] };

export const CAMPAIGN_DEFAULTS = Object.freeze({ skipActiveElsewhere: true, significance: 0.05, waitFor: '7 days' });

const KEYS = [
  'name',
  'inboxes',
  'channel',
  'steps',
  'window',
  'dailyNewLeads',
  'senderName',
  'handover',
  'scoringWeights',
  'skipActiveElsewhere',
  'significance',
  'waitFor',
] as const;
const REQUIRED = new Set(['name', 'inboxes', 'channel', 'steps', 'window', 'dailyNewLeads', 'senderName']);
const MAX_NAME = 200;
const MAX_SENDER = 100;
const MAX_INBOXES = 100;
const WEIGHT_KEYS = Object.keys(DEFAULT_SCORING_WEIGHTS) as Array<keyof ScoringWeights>;

function checkInboxes(out: Problems, v: unknown, channels: ReadonlySet<'email' | 'sms'>, ctx: CampaignContext): void {
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_INBOXES) {
    out.push({ path: 'inboxes', reason: v === undefined ? 'required' : `must list 1 to ${MAX_INBOXES} inbox IDs` });
    return;
  }
  const served = new Set<string>();
  v.forEach((id, i) => {
    const path = `inboxes[${i}]`;
    const inbox = typeof id === 'string' ? ctx.inboxes.get(id) : undefined;
    if (typeof id !== 'string' || inbox === undefined) return void out.push({ path, reason: `no inbox ${JSON.stringify(id) ?? 'undefined'}` });
    if (v.indexOf(id) !== i) return void out.push({ path, reason: `inbox "${id}" is listed twice` });
    if (!inbox.active) out.push({ path, reason: `inbox "${id}" is not active` });
    if (channels.size > 0 && !channels.has(inbox.channel))
      out.push({ path, reason: `inbox "${id}" sends ${inbox.channel}, but the campaign's steps send ${[...channels].join(' and ')}` });
    served.add(inbox.channel);
  });
  for (const c of channels)
    if (!served.has(c) && out.every((p) => !p.path.startsWith('inboxes['))) out.push({ path: 'inboxes', reason: `no inbox sends ${c}, which a step uses` });
}

function checkHandover(out: Problems, v: unknown): void {
  if (v === undefined) return;
  if (!isRecord(v)) return void out.push({ path: 'handover', reason: 'must be an object { sla?, secondSla?, scoreThreshold? }' });
  refuseUnknown(out, v, ['sla', 'secondSla', 'scoreThreshold'], 'handover');
  if (v.sla !== undefined) duration(out, v.sla, 'handover.sla', { positive: true });
  if (v.secondSla !== undefined) duration(out, v.secondSla, 'handover.secondSla', { positive: true });
  if (v.scoreThreshold !== undefined && !isInt(v.scoreThreshold, 0, 100))
    out.push({ path: 'handover.scoreThreshold', reason: 'must be a whole number from 0 to 100' });
}

function checkScoringWeights(out: Problems, v: unknown): void {
  if (v === undefined) return;
  if (!isRecord(v)) return void out.push({ path: 'scoringWeights', reason: 'must be an object of scoring weights' });
  refuseUnknown(out, v, WEIGHT_KEYS, 'scoringWeights');
  const points = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && Math.abs(x) <= 100;
  for (const k of WEIGHT_KEYS) {
    const w = v[k];
    if (w === undefined) continue;
    const path = `scoringWeights.${k}`;
    if (k === 'sources') {
      if (!isRecord(w)) out.push({ path, reason: 'must be an object of source → points' });
      else
        for (const [s, p] of Object.entries(w))
          if (s.trim() === '' || !points(p)) out.push({ path: `${path}.${s}`, reason: 'must be a number from -100 to 100' });
    } else if (k === 'hotThreshold' || k === 'warmThreshold') {
      if (!isInt(w, 0, 100)) out.push({ path, reason: 'must be a whole number from 0 to 100' });
    } else if (!points(w)) out.push({ path, reason: 'must be a number from -100 to 100' });
  }
  const hot = v.hotThreshold ?? DEFAULT_SCORING_WEIGHTS.hotThreshold;
  const warm = v.warmThreshold ?? DEFAULT_SCORING_WEIGHTS.warmThreshold;
  if (isInt(hot, 0, 100) && isInt(warm, 0, 100) && warm > hot)
    out.push({ path: 'scoringWeights.warmThreshold', reason: `must not be above hotThreshold (${hot})` });
}

/** Validates `input` whole; on success the spec with its defaults filled in. */
export function validateCampaign(input: unknown, ctx: CampaignContext): CampaignValidation {
  const out: Problems = [];
  if (!isRecord(input)) return { ok: false, problems: [{ path: '', reason: 'a campaign must be a JSON object' }] };
  refuseUnknown(out, input, KEYS, '');
  for (const k of REQUIRED) if (input[k] === undefined) out.push({ path: k, reason: 'required' });
  const has = (k: string) => input[k] !== undefined;
  if (has('name')) nonEmptyString(out, input.name, 'name', MAX_NAME);
  const senderOk = has('senderName') && nonEmptyString(out, input.senderName, 'senderName', MAX_SENDER);
  const channel = input.channel === 'email' || input.channel === 'sms' ? input.channel : null;
  if (has('channel') && channel === null) out.push({ path: 'channel', reason: 'must be "email" or "sms"' });
  // The sample prospect signs with the campaign's own sender, as real messages do.
  const sample: TemplateData = { ...SAMPLE_PROSPECT, senderName: senderOk ? (input.senderName as string) : SAMPLE_PROSPECT.senderName };
  const steps = has('steps') ? checkSteps(out, input.steps, channel, sample) : null;
  if (has('inboxes')) checkInboxes(out, input.inboxes, steps?.channels ?? new Set(channel === null ? [] : [channel]), ctx);
  if (has('window')) checkWindow(out, input.window);
  if (has('dailyNewLeads') && input.dailyNewLeads !== null && !isInt(input.dailyNewLeads, 1, 1_000_000))
    out.push({ path: 'dailyNewLeads', reason: 'must be null (no cap) or a whole number from 1 to 1000000' });
  checkHandover(out, input.handover);
  checkScoringWeights(out, input.scoringWeights);
  if (has('skipActiveElsewhere') && typeof input.skipActiveElsewhere !== 'boolean') out.push({ path: 'skipActiveElsewhere', reason: 'must be true or false' });
  const sig = input.significance;
  if (has('significance') && !(typeof sig === 'number' && sig > 0 && sig <= 0.5))
    out.push({ path: 'significance', reason: 'must be a number above 0 and at most 0.5 (e.g. 0.05)' });
  if (has('waitFor')) duration(out, input.waitFor, 'waitFor', { positive: true });
  if (out.length > 0) return { ok: false, problems: out };

  const i = input as unknown as CampaignSpec;
  const spec: CampaignSpec = {
    name: i.name.trim(),
    inboxes: i.inboxes,
    channel: i.channel,
    steps: i.steps,
    window: i.window,
    dailyNewLeads: i.dailyNewLeads,
    senderName: i.senderName.trim(),
    ...(i.handover !== undefined && { handover: i.handover }),
    ...(i.scoringWeights !== undefined && { scoringWeights: i.scoringWeights }),
    skipActiveElsewhere: i.skipActiveElsewhere ?? CAMPAIGN_DEFAULTS.skipActiveElsewhere,
    significance: i.significance ?? CAMPAIGN_DEFAULTS.significance,
    waitFor: i.waitFor ?? CAMPAIGN_DEFAULTS.waitFor,
  };
  return { ok: true, spec };
}

/** Applies a top-level merge-patch to `current` and validates the result whole (see the file comment). */
export function validateCampaignPatch(current: CampaignSpec, patch: unknown, ctx: CampaignContext): CampaignValidation {
  if (!isRecord(patch)) return { ok: false, problems: [{ path: '', reason: 'a campaign patch must be a JSON object' }] };
  const merged: Record<string, unknown> = { ...current };
  const out: Problems = [];
  for (const [k, v] of Object.entries(patch)) {
    if (v !== null) merged[k] = v;
    else if (REQUIRED.has(k) && k !== 'dailyNewLeads') out.push({ path: k, reason: 'is required and cannot be removed' });
    // dailyNewLeads: null is its value (no cap), not a removal.
    else if (k === 'dailyNewLeads') merged[k] = null;
    else delete merged[k];
  }
  const checked = validateCampaign(merged, ctx);
  if (out.length === 0) return checked;
  return { ok: false, problems: [...out, ...(checked.ok ? [] : checked.problems)] };
}
