// Mailbox watcher paths whose histories are committed. Each runs against a real IMAP server.
import type { Client } from '@temporalio/client';
import { listLeads, type Database } from '../../db/index.js';
import type { Kysely } from 'kysely';
import { ensureMailboxWatchers, stopMailboxWatcher } from '../../temporal/mailbox-client.js';
import { adfEmail, adfXml } from '../helpers/adf.js';
import { appendMessage, type MailServer, type MailUser } from '../helpers/mailserver.js';
import type { Config } from '../../config/index.js';

export interface WatcherScenarioEnv {
  client: Client;
  db: Kysely<Database>;
  mail: MailServer;
  user: MailUser;
  imap: NonNullable<Config['imap']>;
  mailQueue: string;
}
export interface WatcherScenario {
  name: string;
  runForMs: number;
  run(e: WatcherScenarioEnv): Promise<string>;
}

async function until(fn: () => Promise<unknown>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('scenario timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const watcherScenarios: WatcherScenario[] = [
  {
    name: 'one-mail-then-stop',
    runForMs: 10 * 60_000,
    async run(e) {
      const [id] = await ensureMailboxWatchers(e.client, e.imap, e.mailQueue);
      await appendMessage(
        e.mail,
        e.user,
        await adfEmail(adfXml({ id: 'replay-imap-1', first: 'Test', last: 'Lead' }), { messageId: '<replay-1@feed.example.com>' }),
      );
      await until(async () => (await listLeads(e.db, { q: 'Lead', limit: 1, offset: 0 })).length > 0);
      await stopMailboxWatcher(e.client, id!, 'recording', 'operator');
      await e.client.workflow.getHandle(id!).result();
      return id!;
    },
  },
  {
    name: 'run-window-rollover-then-stop',
    runForMs: 1500,
    async run(e) {
      const [id] = await ensureMailboxWatchers(e.client, e.imap, e.mailQueue);
      // Let the activity end its window twice, so the workflow restarts it from the checkpoint.
      await until(async () => (await e.client.workflow.getHandle(id!).query<{ runs: number }>('state')).runs >= 2);
      await stopMailboxWatcher(e.client, id!, 'recording', 'operator');
      await e.client.workflow.getHandle(id!).result();
      return id!;
    },
  },
];
