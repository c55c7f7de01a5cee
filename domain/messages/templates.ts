// Deterministic drafts: what a lead gets when there is no AI key, the AI is down, or its text
// failed validation. Plain variable substitution only, so an operator can read exactly what went out.
import { vehicleLabel, type DraftContext } from './draft-types.js';

interface Template {
  subject: string | null;
  body: string;
}

// First touch vs follow-up; SMS stays well under one 320-character concatenated message.
const TEMPLATES: Record<DraftContext['channel'], { first: Template; followUp: Template }> = {
  email: {
    first: {
      subject: 'Your {vehicle} enquiry at {dealerName}',
      body: 'Hi {firstName},\n\nThanks for your interest in the {vehicle}. I can confirm availability, send over pricing and set up a test drive at a time that suits you.\n\nWhat would be a good time to talk?\n\nBest regards,\n{dealerName}',
    },
    followUp: {
      subject: 'Still interested in the {vehicle}?',
      body: 'Hi {firstName},\n\nJust checking in about the {vehicle}. If you have any questions, or would like to see it in person, reply to this e-mail and we will set it up.\n\nBest regards,\n{dealerName}',
    },
  },
  sms: {
    first: {
      subject: null,
      body: 'Hi {firstName}, thanks for your interest in the {vehicle} at {dealerName}. When would be a good time for a quick call or a test drive? Reply STOP to opt out.',
    },
    followUp: {
      subject: null,
      body: 'Hi {firstName}, still interested in the {vehicle}? {dealerName} is happy to answer any questions. Reply STOP to opt out.',
    },
  },
};

export interface TemplateVariables {
  firstName: string;
  vehicle: string;
  dealerName: string;
}

export function templateVariables(ctx: DraftContext): TemplateVariables {
  const firstName = ctx.lead.firstName?.trim();
  return {
    firstName: firstName === undefined || firstName === '' ? 'there' : firstName,
    vehicle: vehicleLabel(ctx.lead.vehicles[0]) ?? 'vehicle you asked about',
    dealerName: ctx.dealerName,
  };
}

/** Unknown {names} are left as they are, so a typo in a template shows up in review instead of vanishing. */
export function fill(text: string, vars: TemplateVariables): string {
  return text.replace(/\{(firstName|vehicle|dealerName)\}/g, (_, name: keyof TemplateVariables) => vars[name]);
}

export function templateDraft(ctx: DraftContext): { subject: string | null; body: string } {
  const set = TEMPLATES[ctx.channel];
  const builtIn = ctx.step <= 1 ? set.first : set.followUp;
  // A campaign template without a subject keeps the built-in one: an e-mail always has a subject.
  const t: Template =
    ctx.template == null ? builtIn : { subject: ctx.channel === 'sms' ? null : (ctx.template.subject ?? builtIn.subject), body: ctx.template.body };
  const vars = templateVariables(ctx);
  return { subject: t.subject === null ? null : fill(t.subject, vars), body: fill(t.body, vars) };
}
