// The lead workflow's public contract: task queue, ID scheme, input/state types, signals and
// queries. Side-effect free, so api/ and bin/ import it without pulling in workflow code.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';

export const LEAD_TASK_QUEUE = 'leadflow-leads';
export const LEAD_WORKFLOW_TYPE = 'leadWorkflow';

export type LeadStatus = 'received' | 'waiting' | 'stopped' | 'expired';
export const LEAD_STATUSES: readonly LeadStatus[] = ['received', 'waiting', 'stopped', 'expired'];

export interface LeadContact {
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  /** E.164 when known. */
  phone: string | null;
}

export interface LeadInput {
  /** Where the lead came from: an ADF provider id, `api`, `campaign`, `demo`, ... */
  source: string;
  /** The source's own id for this prospect, when it has one. */
  externalId: string | null;
  campaignId: string | null;
  contact: LeadContact;
  /** The parsed lead as received; stored with the lead, never interpreted by the workflow. */
  payload: Record<string, unknown>;
  /** How long the lead waits for a person before it expires (ms or a Temporal duration string). */
  waitFor?: Duration;
}

export interface StopRequest {
  reason: string;
  by: string;
}

export interface LeadArrival {
  /** Identifies this arrival so a re-delivered signal is counted once. */
  arrivalId: string;
  receivedAt: string;
}

export interface LeadState {
  leadId: string;
  status: LeadStatus;
  arrivals: number;
  stop: StopRequest | null;
}

export interface LeadOutcome {
  leadId: string;
  status: Extract<LeadStatus, 'stopped' | 'expired'>;
  arrivals: number;
}

export const stopSignal = defineSignal<[StopRequest]>('stop');
/** Every arrival of the lead (the first one too) is signalled, so duplicates land on one workflow. */
export const arrivedSignal = defineSignal<[LeadArrival]>('arrived');
export const stateQuery = defineQuery<LeadState>('state');

/**
 * A stable key for a lead: the source's prospect id when there is one, else a normalised contact
 * (e-mail lower-cased, or phone digits). The same person from the same source always maps to the
 * same workflow ID, which is what makes duplicate arrivals merge instead of forking.
 */
export function leadKey(input: Pick<LeadInput, 'source' | 'externalId' | 'contact' | 'campaignId'>): string {
  const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');
  const scope = input.campaignId !== null ? `campaign:${norm(input.campaignId)}` : norm(input.source);
  if (input.externalId !== null && input.externalId.trim() !== '') return `${scope}:id:${norm(input.externalId)}`;
  if (input.contact.email !== null && input.contact.email.trim() !== '') return `${scope}:email:${norm(input.contact.email)}`;
  const digits = input.contact.phone?.replace(/[^\d+]/g, '') ?? '';
  if (digits !== '') return `${scope}:phone:${digits}`;
  throw new Error('a lead needs an external id, an e-mail address or a phone number to be identified');
}

const PREFIX = 'lead:';
export const leadWorkflowId = (key: string): string => `${PREFIX}${key}`;
export function leadKeyFromWorkflowId(workflowId: string): string | null {
  return workflowId.startsWith(PREFIX) ? workflowId.slice(PREFIX.length) : null;
}
