// Everything a lead input must satisfy before it is accepted: what the workflow would otherwise
// fail on (forever, or only after a 202), checked up front so the caller gets a refusal naming
// the field. The API answers these as 400 (413 for a document too large to be a workflow input).
import { msToNumber } from '@temporalio/common/lib/time.js';
import { findTextProblem, jsonBytes } from '../domain/text/checks.js';
import { leadKey, leadWorkflowId, type LeadInput } from '../workflows/lead/contract.js';
import { checkSequence } from '../workflows/lead/sequence.js';
import { isTimeZone } from '../workflows/inbox/policy/time.js';
import { INBOX_ID } from '../domain/inboxes/types.js';

export class InvalidLeadInputError extends Error {
  override readonly name = 'InvalidLeadInputError';
  constructor(
    message: string,
    readonly field: string | null = null,
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

/**
 * Temporal refuses payloads over 2 MB and warns from 256 KB; a lead's input travels in its start
 * event and every continue-as-new, so it stays well below both.
 */
export const MAX_LEAD_INPUT_BYTES = 256 * 1024;

/** Bounds after normalisation (lower-casing can lengthen text: `İ` becomes two code units). */
const BOUNDS: Array<[field: string, get: (i: LeadInput) => string | null, max: number]> = [
  ['source', (i) => i.source, 64],
  ['campaignId', (i) => i.campaignId, 64],
  ['externalId', (i) => i.externalId, 128],
  ['contact.email', (i) => i.contact.email, 254],
  ['contact.phone', (i) => i.contact.phone, 32],
  ['contact.firstName', (i) => i.contact.firstName, 200],
  ['contact.lastName', (i) => i.contact.lastName, 200],
];
/** A workflow ID this long still fits a URL path segment, a search and every link built from it. */
const MAX_LEAD_ID = 300;

/** Checks what the workflow would otherwise fail on, so callers get a clear error up front. */
export function validateLeadInput(input: LeadInput): void {
  const text = findTextProblem(input);
  if (text !== null) throw new InvalidLeadInputError(`${text.field} ${text.reason}`, text.field);
  const bytes = jsonBytes(input);
  if (bytes > MAX_LEAD_INPUT_BYTES) {
    throw new InvalidLeadInputError(`the lead is ${bytes} bytes as JSON; at most ${MAX_LEAD_INPUT_BYTES} are accepted (payload included)`, 'payload', true);
  }
  if (input.source.trim() === '') throw new InvalidLeadInputError('source must not be empty', 'source');
  for (const [field, get, max] of BOUNDS) {
    const v = get(input);
    if (v !== null && v.trim().toLowerCase().length > max)
      throw new InvalidLeadInputError(`${field} is longer than ${max} characters (after normalisation)`, field);
  }
  if (input.waitFor !== undefined) {
    try {
      if (msToNumber(input.waitFor) <= 0) throw new Error('must be positive');
    } catch (err) {
      throw new InvalidLeadInputError(`waitFor ${JSON.stringify(input.waitFor)} is not a valid duration: ${(err as Error).message}`, 'waitFor');
    }
  }
  if (input.finalWait !== undefined) {
    try {
      if (msToNumber(input.finalWait) < 0) throw new Error('must not be negative');
    } catch (err) {
      throw new InvalidLeadInputError(`finalWait ${JSON.stringify(input.finalWait)} is not a valid duration: ${(err as Error).message}`, 'finalWait');
    }
  }
  if (input.sequenceStartedAt !== undefined && !Number.isSafeInteger(input.sequenceStartedAt))
    throw new InvalidLeadInputError(`sequenceStartedAt ${JSON.stringify(input.sequenceStartedAt)} must be epoch milliseconds`, 'sequenceStartedAt');
  let id: string;
  try {
    id = leadWorkflowId(leadKey(input));
  } catch (err) {
    throw new InvalidLeadInputError((err as Error).message, 'contact');
  }
  if (id.length > MAX_LEAD_ID)
    throw new InvalidLeadInputError(`the lead's identity (source, campaign and id or contact) is longer than ${MAX_LEAD_ID} characters`, 'externalId');
  try {
    if (input.sequence !== undefined) checkSequence(input.sequence);
  } catch (err) {
    throw new InvalidLeadInputError((err as Error).message, 'sequence');
  }
  if (input.inboxes !== undefined) {
    if (!Array.isArray(input.inboxes) || input.inboxes.length === 0 || input.inboxes.length > MAX_INBOXES)
      throw new InvalidLeadInputError(`inboxes must list 1 to ${MAX_INBOXES} inbox ids`, 'inboxes');
    const bad = input.inboxes.findIndex((i) => typeof i !== 'string' || !INBOX_ID.test(i));
    if (bad >= 0) throw new InvalidLeadInputError(`inboxes[${bad}] is not an inbox id`, `inboxes[${bad}]`);
  }
  if (input.recipientTimeZone !== undefined && !isTimeZone(input.recipientTimeZone))
    throw new InvalidLeadInputError(`recipientTimeZone ${JSON.stringify(input.recipientTimeZone)} is not an IANA time zone`, 'recipientTimeZone');
}

/** A lead rotates over at most this many inboxes (a campaign's set). */
export const MAX_INBOXES = 50;
