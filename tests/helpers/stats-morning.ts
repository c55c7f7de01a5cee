// The morning the stats test reads: three registry inboxes, today's sends and events on each (and
// rows that must not count), the environment's sender, a lead never sent to, yesterday's figures,
// and two saved inbox states (one paused by an operator, one whose pause has run out).
import type { Kysely } from 'kysely';
import { recordProviderEvent, type Database } from '../../db/index.js';
import { DAY, type statsSeed } from './stats-seed.js';

export async function seedMorning(db: Kysely<Database>, seed: ReturnType<typeof statsSeed>, dayStart: number, pausedUntil: number): Promise<void> {
  const { lead, message, event, registry, savedStatus, save } = seed;
  for (const id of ['rep-a', 'rep-b', 'rep-c']) await registry(id);
  for (const id of ['a1', 'a2', 'a3', 'a4', 'b1', 'b2', 'm', 'd1', 's1', 'x', 'old']) await lead(id);
  // rep-a: five sends today (one of them lead m's first step), a failed and a pending row that do not count.
  for (const id of ['a1', 'a2', 'a3', 'a4']) await message(id, 1, 'rep-a');
  await message('m', 1, 'rep-a');
  await message('a1', 2, 'rep-a', { status: 'failed' });
  await message('a2', 2, 'rep-a', { status: 'pending' });
  await event('a1', 'delivered', { step: 1 });
  await event('a2', 'delivered', { step: 1 });
  await event('a1', 'reply', { channel: 'email', text: 'yes please' });
  await event('a1', 'opened', { step: 1 }); // not a figure of the report
  await event('a2', 'bounce', { kind: 'hard', channel: 'email', step: 1 });
  await event('a3', 'bounce', { kind: 'soft', channel: 'email', step: 1 });
  await event('a4', 'complaint', { step: 1 });
  // The webhook row behind a1's delivery is not counted a second time.
  await recordProviderEvent(db, { provider: 'sendgrid', eventId: 'sg-1', leadId: 'a1', type: 'delivered', payload: { event: 'delivered' } });
  // rep-b: three sends, one of them lead m's second step, whose bounce names step 2.
  await message('b1', 1, 'rep-b');
  await message('b2', 1, 'rep-b');
  await message('m', 2, 'rep-b');
  await event('b1', 'bounce', { kind: 'block', channel: 'email', step: 1 });
  await event('b2', 'delivered', { step: 1 });
  await event('m', 'bounce', { kind: 'hard', channel: 'email', step: 2 });
  // The environment's sender (no inbox_id): the implicit inbox of each channel.
  await message('d1', 1, null);
  await event('d1', 'bounce', { kind: 'hard', channel: 'email', step: 1 });
  await message('s1', 1, null, { channel: 'sms' });
  await event('s1', 'delivered', {});
  await event('s1', 'reply', { channel: 'sms', text: 'ok' });
  // A lead we never sent to: its e-mail bounce goes to the implicit e-mail inbox.
  await event('x', 'bounce', { kind: 'hard', channel: 'email' });
  // Yesterday: outside today's figures, inside a `since` that reaches back.
  await message('old', 1, 'rep-a', { sentAt: new Date(dayStart - 3_600_000) });
  await event('old', 'reply', { channel: 'email' }, new Date(dayStart - 1_800_000));

  await save(savedStatus('rep-a', { pause: { until: pausedUntil, reason: 'checking the DNS records', by: 'api-key:ops', at: dayStart, kind: 'operator' } }));
  // rep-c saved two days ago under a pause that has run out since.
  await save(
    savedStatus('rep-c', {
      today: new Date(dayStart - 2 * DAY).toISOString().slice(0, 10),
      dayStartedAt: dayStart - 2 * DAY,
      health: {
        score: 90,
        inputs: { sent: 0, bounces: 0, complaints: 0, replies: 0, bounceRate: 0, complaintRate: 0, replyRate: 0, ageDays: 0 },
        parts: { bounce: 40, complaint: 30, reply: 20, age: 0 },
      },
      dailyLimit: 5,
      grantedToday: 5,
      sentToday: 5,
      remainingToday: 0,
      pause: { until: dayStart - DAY, reason: 'block bounce', by: 'inbox', at: dayStart - 2 * DAY, kind: 'block' },
      warnings: [],
    }),
  );
}
