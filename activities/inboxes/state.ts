// The inbox workflow's one side effect: saving its latest figures where the API, the rotation and
// the send activity's last guard read them (inbox_state). Idempotent: the newest status wins.
import type { Kysely } from 'kysely';
import { saveInboxState, type Database } from '../../db/index.js';
import type { InboxStatus } from '../../workflows/inbox/contract.js';
import { Context } from '@temporalio/activity';
import { inboxEntityKey } from '../../temporal/inbox-client.js';

export function createInboxStateActivities(db: Kysely<Database>) {
  async function saveInboxStatus(status: InboxStatus): Promise<void> {
    await saveInboxState(db, {
      // Keyed as the readers (rotation, the send guard) key it: by inbox, per task queue.
      inboxId: inboxEntityKey(status.inboxId, Context.current().info.taskQueue),
      health: status.health.score,
      dailyLimit: status.dailyLimit,
      today: status.today,
      dayStartedAt: new Date(status.dayStartedAt),
      grantedToday: status.grantedToday,
      sentToday: status.sentToday,
      pausedUntil: status.pause?.until != null ? new Date(status.pause.until) : null,
      paused: status.pause !== null,
      status,
    });
  }
  return { saveInboxStatus };
}

export type InboxStateActivities = ReturnType<typeof createInboxStateActivities>;
