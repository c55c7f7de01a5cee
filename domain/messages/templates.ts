// Deterministic drafts: what a lead gets when there is no AI key, the AI is down, or its text
// failed validation. Plain variable substitution only, so an operator can read exactly what went out.
import { vehicleLabel, type DraftContext } from './draft-types.js';

interface Template {
  subject: string | null;
  body: string;
}

type TemplateSet = Record<DraftContext['channel'], { first: Template; followUp: Template }>;

// First touch vs follow-up; SMS stays well under one 320-character concatenated message.
const WITH_VEHICLE: TemplateSet = {
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

// A lead who named no vehicle: the texts are written without one, because a stand-in noun
// dropped into the vehicle's slot reads as a mail merge gone wrong ("Your vehicle you asked
// about enquiry at ...").
const WITHOUT_VEHICLE: TemplateSet = {
  email: {
    first: {
      subject: 'Your enquiry at {dealerName}',
      body: 'Hi {firstName},\n\nThanks for getting in touch. I can tell you what is available, send over pricing and set up a test drive at a time that suits you.\n\nWhat would be a good time to talk?\n\nBest regards,\n{dealerName}',
    },
    followUp: {
      subject: 'Following up on your enquiry at {dealerName}',
      body: 'Hi {firstName},\n\nJust checking in about your enquiry. If you have any questions, or would like to come and see us, reply to this e-mail and we will set it up.\n\nBest regards,\n{dealerName}',
    },
  },
  sms: {
    first: {
      subject: null,
      body: 'Hi {firstName}, thanks for your enquiry at {dealerName}. When would be a good time for a quick call or a test drive? Reply STOP to opt out.',
    },
    followUp: {
      subject: null,
      body: 'Hi {firstName}, are you still looking? {dealerName} is happy to answer any questions. Reply STOP to opt out.',
    },
  },
};

export interface TemplateVariables {
  firstName: string;
  vehicle: string;
  dealerName: string;
}

/** What `{vehicle}` becomes in a lead's own sequence template when the lead named none. */
const NO_VEHICLE = 'vehicle you asked about';

export function templateVariables(ctx: DraftContext): TemplateVariables {
  const firstName = ctx.lead.firstName?.trim();
  return {
    firstName: firstName === undefined || firstName === '' ? 'there' : firstName,
    vehicle: vehicleLabel(ctx.lead.vehicles[0]) ?? NO_VEHICLE,
    dealerName: ctx.dealerName,
  };
}

/** Unknown {names} are left as they are, so a typo in a template shows up in review instead of vanishing. */
export function fill(text: string, vars: TemplateVariables): string {
  return text.replace(/\{(firstName|vehicle|dealerName)\}/g, (_, name: keyof TemplateVariables) => vars[name]);
}

export function templateDraft(ctx: DraftContext): { subject: string | null; body: string } {
  const set = (vehicleLabel(ctx.lead.vehicles[0]) === null ? WITHOUT_VEHICLE : WITH_VEHICLE)[ctx.channel];
  const builtIn = ctx.step <= 1 ? set.first : set.followUp;
  // A sequence template without a subject keeps the built-in one: an e-mail always has a subject.
  const t: Template =
    ctx.template == null ? builtIn : { subject: ctx.channel === 'sms' ? null : (ctx.template.subject ?? builtIn.subject), body: ctx.template.body };
  const vars = templateVariables(ctx);
  return { subject: t.subject === null ? null : fill(t.subject, vars), body: fill(t.body, vars) };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Every built-in e-mail subject, past and present, with its variables as wildcards: whatever the
// vehicle or sender, a campaign subject that matches one is the dealer-style default, not copy
// someone wrote for this campaign. The first is the wording used before leads without a vehicle
// had their own texts.
const BUILT_IN_SUBJECTS: RegExp[] = [WITH_VEHICLE, WITHOUT_VEHICLE]
  .flatMap((set) => [set.email.first.subject, set.email.followUp.subject])
  .filter((s): s is string => s !== null)
  .map((s) => new RegExp(`^${escape(s).replace(/\\\{(?:firstName|vehicle|dealerName)\\\}/g, '.+')}$`, 'i'));

/** True when `subject` is one of the built-in subjects (any vehicle, any sender) or carries the no-vehicle stand-in. */
export function isBuiltInSubject(subject: string): boolean {
  const s = subject.trim().replace(/\s+/g, ' ');
  return s.toLowerCase().includes(NO_VEHICLE) || BUILT_IN_SUBJECTS.some((re) => re.test(s));
}
