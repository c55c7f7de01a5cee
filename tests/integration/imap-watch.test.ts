// watchMailbox against a real IMAP server (GreenMail on loopback): ordering and checkpoints,
// IDLE latency, clean stop and resume, server restart (reconnect + UIDVALIDITY change), handler
// failure, and marking processed mail. Every test owns its user, so mailboxes never mix.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FetchedMessage } from '../../activities/mail/imap-watch.js';
import { appendMessage, connectImap, rawMessage, startMailServer, type MailServer } from '../helpers/mailserver.js';
import { ids, startWatch, user, waitFor } from '../helpers/imap-watch.js';

const USERS = ['order', 'idle', 'abort', 'fail', 'flag', 'move'].map(user);

describe('watchMailbox against GreenMail', () => {
  let server: MailServer;
  before(async () => {
    const t = performance.now();
    server = await startMailServer({ users: USERS });
    console.log(`GreenMail started in ${Math.round(performance.now() - t)} ms (IMAP ${server.imap.port}, SMTP ${server.smtp.port})`);
  });
  after(async () => {
    await server?.stop();
  });

  test('(a) existing messages are handled in UID order and the checkpoint advances', { timeout: 20_000 }, async () => {
    const u = user('order');
    for (let i = 1; i <= 3; i++) await appendMessage(server, u, rawMessage({ messageId: `order-${i}@test` }));
    const w = startWatch(server, u);
    await waitFor(() => w.checkpoints.length === 3, 10_000, 'three checkpoints');
    const cp = await w.stop();
    assert.deepEqual(ids(w.handled), ['<order-1@test>', '<order-2@test>', '<order-3@test>']);
    assert.deepEqual(
      w.handled.map((m) => m.uid),
      [1, 2, 3],
    );
    assert.deepEqual(
      w.checkpoints.map((c) => c.lastUid),
      [1, 2, 3],
    );
    assert.ok(w.handled.every((m) => m.raw.toString().includes('Subject: New lead') && m.internalDate instanceof Date));
    assert.deepEqual(cp, { uidValidity: w.handled[0]?.uidValidity, lastUid: 3 });

    // Resuming from that checkpoint hands over only what is new.
    await appendMessage(server, u, rawMessage({ messageId: 'order-4@test' }));
    const again = startWatch(server, u, { checkpoint: cp });
    await waitFor(() => again.handled.length >= 1, 10_000, 'the fourth message');
    await new Promise((r) => setTimeout(r, 200)); // room for a wrong re-delivery to show up
    assert.deepEqual(await again.stop(), { uidValidity: cp?.uidValidity, lastUid: 4 });
    assert.deepEqual(ids(again.handled), ['<order-4@test>']);
  });

  // The watcher polls once a minute here (tests/helpers/imap-watch.ts), so a pick-up well inside
  // that can only be IDLE; the latency is printed, not asserted (bench/imap-ingest.ts measures it).
  test('(b) a message appended while watching is handled through IDLE, long before the poll', { timeout: 60_000 }, async () => {
    const u = user('idle');
    const arrivals = new Map<string, number>();
    const w = startWatch(server, u, {
      handle: async (m) => {
        arrivals.set(m.messageId ?? '', performance.now());
      },
    });
    // A first message proves the watcher is connected and has reached IDLE.
    await appendMessage(server, u, rawMessage({ messageId: 'idle-warmup@test' }));
    await waitFor(() => w.checkpoints.length === 1, 10_000, 'the warm-up message');
    // Appends through one open connection, so the measurement is APPEND -> EXISTS push -> fetch
    // -> handle(), not the appending client's own connect and login.
    const appender = await connectImap(server, u);
    const latencies: number[] = [];
    try {
      for (let i = 1; i <= 3; i++) {
        await new Promise((r) => setTimeout(r, 150)); // let it settle into IDLE again
        const sent = performance.now();
        await appender.append('INBOX', rawMessage({ messageId: `idle-${i}@test` }));
        await waitFor(() => arrivals.has(`<idle-${i}@test>`), 15_000, `idle-${i}`);
        latencies.push(Math.round((arrivals.get(`<idle-${i}@test>`) ?? 0) - sent));
      }
    } finally {
      await appender.logout();
    }
    await w.stop();
    console.log(`IDLE latency, APPEND sent to handle() called: ${latencies.join(', ')} ms`);
    assert.equal(w.disconnects.length, 0);
  });

  test('(c) abort mid-batch, resume from the returned checkpoint: every message exactly once', { timeout: 30_000 }, async () => {
    const u = user('abort');
    const count = 6;
    for (let i = 1; i <= count; i++) await appendMessage(server, u, rawMessage({ messageId: `abort-${i}@test` }));
    const seen = new Map<string, number>();
    const tally = async (m: FetchedMessage) => {
      seen.set(m.messageId ?? '', (seen.get(m.messageId ?? '') ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 100)); // a slow handler, so the abort lands mid-batch
    };
    const first = startWatch(server, u, {
      handle: async (m) => {
        if (seen.size === 2) first.controller.abort(); // while the third one is being handled
        await tally(m);
      },
    });
    const cp = await first.done;
    assert.ok(cp !== null && cp.lastUid >= 3 && cp.lastUid < count, `stopped mid-batch, checkpoint ${JSON.stringify(cp)}`);
    assert.deepEqual(first.checkpoints.at(-1), cp, 'the returned checkpoint is the last one reported');
    assert.equal(first.handled.length, cp.lastUid, 'the in-flight message was finished and checkpointed');

    const second = startWatch(server, u, { checkpoint: cp, handle: tally });
    await waitFor(() => seen.size === count, 10_000, 'all messages');
    assert.deepEqual(await second.stop(), { uidValidity: cp.uidValidity, lastUid: count });
    assert.deepEqual([...seen.entries()].sort(), Array.from({ length: count }, (_, i) => [`<abort-${i + 1}@test>`, 1]).sort());
  });

  test('(e) a throwing handler rejects the watcher and the checkpoint stays at the previous message', { timeout: 20_000 }, async () => {
    const u = user('fail');
    for (let i = 1; i <= 3; i++) await appendMessage(server, u, rawMessage({ messageId: `fail-${i}@test` }));
    const boom = new Error('downstream unavailable');
    const w = startWatch(server, u, {
      handle: async (m) => {
        if (m.messageId === '<fail-2@test>') throw boom;
      },
    });
    await assert.rejects(w.done, (err) => err === boom);
    assert.deepEqual(ids(w.handled), ['<fail-1@test>', '<fail-2@test>']);
    assert.deepEqual(
      w.checkpoints.map((c) => c.lastUid),
      [1],
    );

    // The retry (what the Temporal activity does) resumes at the failed message.
    const retry = startWatch(server, u, { checkpoint: w.checkpoints.at(-1) ?? null });
    await waitFor(() => retry.checkpoints.length === 2, 10_000, 'the retry');
    await retry.stop();
    assert.deepEqual(ids(retry.handled), ['<fail-2@test>', '<fail-3@test>']);
  });

  test('(f) afterProcess adds the flag, or flags and moves', { timeout: 20_000 }, async () => {
    const flagUser = user('flag');
    await appendMessage(server, flagUser, rawMessage({ messageId: 'flag-1@test' }));
    const w = startWatch(server, flagUser, { afterProcess: { flag: '$LeadflowProcessed' } });
    await waitFor(() => w.processed.length === 1, 10_000, 'the flagged message');
    await w.stop();
    assert.deepEqual(w.processed, [{ flagged: '$LeadflowProcessed', movedTo: null }]);
    const c1 = await connectImap(server, flagUser);
    try {
      await c1.mailboxOpen('INBOX');
      const msg = await c1.fetchOne('1', { flags: true }, { uid: true });
      // Only the configured flag: fetching the source must not mark the mail \Seen by itself.
      assert.deepEqual([...(msg === false ? [] : (msg.flags ?? []))], ['$LeadflowProcessed']);
    } finally {
      await c1.logout();
    }

    const moveUser = user('move');
    await appendMessage(server, moveUser, rawMessage({ messageId: 'move-1@test' }));
    const m = startWatch(server, moveUser, { afterProcess: { flag: '\\Seen', moveTo: 'Processed' } });
    await waitFor(() => m.processed.length === 1, 10_000, 'the moved message');
    await m.stop();
    assert.deepEqual(m.processed, [{ flagged: '\\Seen', movedTo: 'Processed' }]);
    const c2 = await connectImap(server, moveUser);
    try {
      assert.equal((await c2.mailboxOpen('INBOX')).exists, 0);
      await c2.mailboxOpen('Processed'); // created by the watcher
      const moved = await c2.fetchAll('1:*', { flags: true, envelope: true });
      assert.deepEqual(
        moved.map((x) => [x.envelope?.messageId, [...(x.flags ?? [])]]),
        [['<move-1@test>', ['\\Seen']]],
      );
    } finally {
      await c2.logout();
    }
  });
});

describe('watchMailbox across a server restart', () => {
  test('(d) reconnects after GreenMail restarts and handles mail under the new UIDVALIDITY', { timeout: 30_000 }, async () => {
    const u = user('restart');
    const server = await startMailServer({ users: [u] });
    try {
      const w = startWatch(server, u);
      await appendMessage(server, u, rawMessage({ messageId: 'before@test' }));
      await waitFor(() => w.checkpoints.length === 1, 10_000, 'the message before the restart');
      const before = w.checkpoints[0];

      const t = performance.now();
      await server.restart(); // all mail is gone and INBOX gets a new UIDVALIDITY
      console.log(`GreenMail restarted in ${Math.round(performance.now() - t)} ms`);
      await waitFor(() => w.disconnects.length >= 1, 10_000, 'onDisconnect');
      // Reconnected: the UIDVALIDITY reset is reported as a checkpoint with lastUid 0.
      await waitFor(() => w.checkpoints.length === 2, 10_000, 'the reconnect');
      const reset = w.checkpoints[1];
      assert.notEqual(reset?.uidValidity, before?.uidValidity);
      assert.equal(reset?.lastUid, 0);
      assert.ok(
        w.warnings.some((m) => m.includes('UIDVALIDITY changed')),
        `warnings: ${w.warnings.join('; ')}`,
      );

      await appendMessage(server, u, rawMessage({ messageId: 'after@test' }));
      await waitFor(() => w.handled.length === 2, 10_000, 'the message after the restart');
      const cp = await w.stop();
      assert.deepEqual(ids(w.handled), ['<before@test>', '<after@test>']);
      assert.equal(w.handled[1]?.uid, 1, 'UIDs restarted at 1 on the new server');
      assert.deepEqual(cp, { uidValidity: reset?.uidValidity, lastUid: 1 });
      console.log(`disconnects reported: ${w.disconnects.length} (${w.disconnects.map((e) => e?.message ?? 'closed').join('; ')})`);
    } finally {
      await server.stop();
    }
  });
});
