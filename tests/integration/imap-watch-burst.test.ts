// The mailbox watcher under a stream of arrivals (GreenMail on loopback): a few at a time are
// fetched whole in the command that lists them, a bigger backlog is listed first and fetched one
// by one; either way each message is handled once, in UID order, through a stop and a resume.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendMessage, connectImap, rawMessage, startMailServer, type MailServer } from '../helpers/mailserver.js';
import { ids, startWatch, user, waitFor } from '../helpers/imap-watch.js';

describe('watchMailbox under a stream of arrivals', () => {
  let server: MailServer;
  before(async () => {
    server = await startMailServer({ users: [user('burst')] });
  });
  after(async () => {
    await server?.stop();
  });

  test(
    '(g) mail arriving while watching, a few at a time (fetched whole) and a backlog of 30 (listed first): each once, in UID order; an abort mid-batch resumes',
    { timeout: 40_000 },
    async () => {
      const u = user('burst');
      let gate: Promise<void> = Promise.resolve();
      let open = () => {};
      const w = startWatch(server, u, { handle: () => gate });
      await appendMessage(server, u, rawMessage({ messageId: 'burst-0@test' }));
      await waitFor(() => w.checkpoints.length === 1, 10_000, 'the first message');
      const appender = await connectImap(server, u);
      try {
        // A few at once: the wake after them fetches them whole.
        for (let i = 1; i <= 5; i++) await appender.append('INBOX', rawMessage({ messageId: `burst-${i}@test` }));
        await waitFor(() => w.checkpoints.length === 6, 10_000, 'the five');
        // A backlog: the handler holds on message 6 while 30 more arrive, more than one whole fetch takes.
        gate = new Promise<void>((r) => (open = r));
        await appender.append('INBOX', rawMessage({ messageId: 'burst-6@test' }));
        await waitFor(() => w.handled.length === 7, 10_000, 'message 6 in the handler');
        for (let i = 7; i <= 36; i++) await appender.append('INBOX', rawMessage({ messageId: `burst-${i}@test` }));
        open();
        gate = Promise.resolve();
        await waitFor(() => w.checkpoints.length === 37, 20_000, 'the backlog');
        const cp1 = await w.stop();
        // Stopped in the middle of a whole fetch: message 37 holds the handler while 38–40 arrive,
        // which the next wake fetches whole; the stop lands on 39, so 40 comes on the resume, once.
        let n = 0;
        let release = () => {};
        const held = new Promise<void>((r) => (release = r));
        const third = startWatch(server, u, {
          checkpoint: cp1,
          handle: async () => {
            n += 1;
            if (n === 1) await held;
            if (n === 3) third.controller.abort();
          },
        });
        await new Promise((r) => setTimeout(r, 300)); // connected and idling
        await appender.append('INBOX', rawMessage({ messageId: 'burst-37@test' }));
        await waitFor(() => third.handled.length === 1, 10_000, 'message 37 in the handler');
        for (let i = 38; i <= 40; i++) await appender.append('INBOX', rawMessage({ messageId: `burst-${i}@test` }));
        release();
        const cp2 = await third.done;
        assert.equal(third.handled.length, 3, 'stopped after the in-flight message');
        const fourth = startWatch(server, u, { checkpoint: cp2 });
        await waitFor(() => fourth.handled.length === 1, 10_000, 'the last one');
        await fourth.stop();
        assert.deepEqual(
          ids([...w.handled, ...third.handled, ...fourth.handled]),
          Array.from({ length: 41 }, (_, i) => `<burst-${i}@test>`),
        );
        const uids = [...w.checkpoints, ...third.checkpoints, ...fourth.checkpoints].map((c) => c.lastUid);
        assert.deepEqual(
          uids,
          [...uids].sort((a, b) => a - b),
          'checkpoints only move forward',
        );
      } finally {
        await appender.logout();
      }
    },
  );
});
