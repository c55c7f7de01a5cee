// The mailbox watcher's public contract: one workflow per watched mailbox, on its own task queue
// so its long-running IMAP activity never takes a lead worker's slot.
import { defineQuery, defineSignal } from '@temporalio/workflow';

export const MAILBOX_TASK_QUEUE = 'leadflow-mailboxes';
export const MAILBOX_WATCHER_WORKFLOW_TYPE = 'mailboxWatcherWorkflow';

export interface MailboxCheckpoint {
  uidValidity: string;
  lastUid: number;
}

export interface MailboxWatcherInput {
  /** Stable name of the mailbox: user@host:port/path. */
  mailboxId: string;
  /** IMAP path, e.g. INBOX. */
  mailbox: string;
  checkpoint: MailboxCheckpoint | null;
  /** Activity runs so far, carried across continue-as-new. */
  runs?: number;
  /** A registry inbox's mailbox: the activity reads its server and login from the registry (never from this input). */
  inboxId?: string;
}

export interface WatcherStopRequest {
  reason: string;
  by: string;
}

export interface MailboxWatcherState {
  mailboxId: string;
  checkpoint: MailboxCheckpoint | null;
  runs: number;
  stopping: WatcherStopRequest | null;
}

export const stopWatcherSignal = defineSignal<[WatcherStopRequest]>('stop');
export const watcherStateQuery = defineQuery<MailboxWatcherState>('state');

export function mailboxId(imap: { user?: string | undefined; host: string; port: number }, mailbox: string): string {
  return `${imap.user ?? 'anonymous'}@${imap.host}:${imap.port}/${mailbox}`.toLowerCase();
}

export const mailboxWatcherWorkflowId = (id: string): string => `mailbox-watcher:${id}`;
