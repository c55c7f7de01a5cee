// The handover workflow's public contract: a lead that showed interest goes to a salesperson,
// who must acknowledge within the SLA or the manager is told (twice at most).
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';

export const HANDOVER_WORKFLOW_TYPE = 'handoverWorkflow';
export const handoverWorkflowId = (leadId: string): string => `handover:${leadId}`;

export interface HandoverInput {
  leadId: string;
  /** Routing scope: the lead's campaign, else its source (dealer). */
  scope: string;
  reason: string;
  /** Time to acknowledge before the first escalation (default 15 minutes). */
  sla?: Duration;
  /** Time after the first escalation before the second (default: the same as `sla`). */
  secondSla?: Duration;
}

export type HandoverStatus = 'assigning' | 'assigned' | 'acknowledged' | 'escalated' | 'unacknowledged' | 'unassigned';

export interface HandoverState {
  leadId: string;
  status: HandoverStatus;
  salesperson: { id: string; name: string; email: string } | null;
  escalations: number;
  acknowledgedBy: string | null;
  /** When each e-mail went out (workflow time, ISO-8601): the dossier, then each escalation. */
  sentAt: string[];
}

export const acknowledgeSignal = defineSignal<[{ by: string }]>('acknowledge');
export const handoverStateQuery = defineQuery<HandoverState>('handoverState');
