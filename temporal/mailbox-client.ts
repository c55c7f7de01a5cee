// Starts (or finds running) one watcher workflow per configured mailbox. Idempotent: run at every
// worker start, it never makes a second watcher for a mailbox.
import type { Client } from '@temporalio/client';
import type { Config } from '../config/index.js';
import {
  MAILBOX_TASK_QUEUE,
  MAILBOX_WATCHER_WORKFLOW_TYPE,
  mailboxId,
  mailboxWatcherWorkflowId,
  stopWatcherSignal,
  type MailboxWatcherInput,
} from '../workflows/mailbox-watcher/contract.js';

export async function ensureMailboxWatchers(client: Client, imap: NonNullable<Config['imap']>, taskQueue = MAILBOX_TASK_QUEUE): Promise<string[]> {
  const ids: string[] = [];
  for (const mailbox of imap.mailboxes) {
    const id = mailboxId(imap, mailbox);
    const input: MailboxWatcherInput = { mailboxId: id, mailbox, checkpoint: null };
    await client.workflow.start(MAILBOX_WATCHER_WORKFLOW_TYPE, {
      workflowId: mailboxWatcherWorkflowId(id),
      taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    ids.push(mailboxWatcherWorkflowId(id));
  }
  return ids;
}

export async function stopMailboxWatcher(client: Client, workflowId: string, reason: string, by: string): Promise<void> {
  await client.workflow.getHandle(workflowId).signal(stopWatcherSignal, { reason, by });
}

/** The watcher of a registry inbox's mailbox: its workflow id and mailbox id carry the inbox id, never its login. */
export const inboxMailboxId = (inboxId: string, mailbox: string): string => `inbox:${inboxId}/${mailbox}`;

/** Starts (or finds running) one watcher per registry inbox with IMAP settings; idempotent. */
export async function ensureInboxWatchers(client: Client, inboxes: Array<{ id: string; mailbox: string }>, taskQueue = MAILBOX_TASK_QUEUE): Promise<string[]> {
  const ids: string[] = [];
  for (const inbox of inboxes) {
    const id = inboxMailboxId(inbox.id, inbox.mailbox);
    const input: MailboxWatcherInput = { mailboxId: id, mailbox: inbox.mailbox, checkpoint: null, inboxId: inbox.id };
    await client.workflow.start(MAILBOX_WATCHER_WORKFLOW_TYPE, {
      workflowId: mailboxWatcherWorkflowId(id),
      taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    ids.push(mailboxWatcherWorkflowId(id));
  }
  return ids;
}
