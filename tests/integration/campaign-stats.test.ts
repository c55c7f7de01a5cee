// Campaign A/B stats on PostgreSQL: GET /campaigns/:id/stats counts each metric once per lead per
// step and variant from the campaign's sent outbox rows and the events that answer them (SendGrid
// events by their idempotency key, ledger events by the step they name or the latest message
// before them), and names a winner only when the reply rates differ significantly at the
// campaign's level; an unknown campaign is a 404; `leadflow campaign stats` prints the same.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { CampaignStats } from '../../api/schemas/campaign-stats.js';
import { runCli } from '../helpers/cli.js';
import { bearer, dbOnlyApp } from '../helpers/db-app.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';
import { campaignSeed, T0 } from '../helpers/campaign-stats-seed.js';

const HOUR = 3_600_000;
const at = (hours: number) => new Date(T0 + hours * HOUR);

describe('campaign A/B stats', () => {
  let tdb: TestDb;
  let app: FastifyInstance;
  let read: Record<string, string>;
  const get = (url: string, headers = read) => app.inject({ method: 'GET', url, headers });

  before(async () => {
    tdb = await openTestDb();
    app = await dbOnlyApp(tdb.db);
    read = await bearer(tdb.db, 'campaign-stats', ['read']);
    const s = campaignSeed(tdb.db);
    const range = (p: string, from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${p}${from + i}`);
    const a = range('ab-a', 0, 400);
    const b = range('ab-b', 0, 400);

    // Campaign ab: step 1 A/B to 400 leads each, step 2 (one variant, stored without one) to 200.
    await s.campaign('ab', [['A', 'B'], ['S2']], 0.01);
    await s.leads('ab', [...a, ...b]);
    await s.sent('ab', 1, a, 'A', at(0));
    await s.sent('ab', 1, b, 'B', at(0));
    await s.sent('ab', 2, [...a.slice(0, 100), ...b.slice(0, 100)], null, at(48));
    await s.failed('ab', 3, a.slice(0, 5)); // never sent: counts nowhere

    // Replies (attributed to the latest message before them): 60 A and 30 B on step 1, 9 on step 2.
    await s.replies(a.slice(100, 120), at(24), 'interested');
    await s.replies(a.slice(120, 160), at(24), 'question');
    await s.replies(a.slice(100, 101), at(25), 'interested'); // the same lead again: still one
    await s.replies(b.slice(100, 110), at(24), 'interested');
    await s.replies(b.slice(110, 130), at(24), null);
    await s.replies(a.slice(160, 161), at(24), 'out_of_office'); // not a person's reply
    await s.replies(a.slice(161, 162), at(-1), 'interested'); // before anything was sent: no message to answer
    await s.replies([...a.slice(0, 5), ...b.slice(0, 3)], at(72), 'question');
    await s.replies(b.slice(5, 6), at(72), 'unsubscribe'); // a reply and an unsubscribe, step 2

    // SendGrid events on their exact message (idempotency key): deliveries, opens (some twice), clicks.
    await s.sendgrid(1, a.slice(0, 380), 'delivered');
    await s.sendgrid(1, b.slice(0, 390), 'delivered');
    await s.sendgrid(2, a.slice(0, 1), 'delivered');
    await s.sendgrid(1, a.slice(0, 200), 'open');
    await s.sendgrid(1, a.slice(0, 10), 'open');
    await s.sendgrid(1, a.slice(0, 50), 'click');
    await s.sendgrid(1, b.slice(20, 21), 'spamreport');
    // A step-1 unsubscribe at SendGrid after step 2 went out: its ledger copy is not counted again on step 2.
    await s.sendgrid(1, a.slice(10, 11), 'unsubscribe');
    await s.ledger(a.slice(10, 11), 'unsubscribe', {}, at(60), 'unsubscribe:sendgrid:late');

    // Ledger bounces: hard and block count, soft does not (it is sent again).
    await s.ledger(a.slice(380, 390), 'bounce', { kind: 'hard', step: 1 }, at(1));
    await s.ledger(a.slice(390, 391), 'bounce', { kind: 'soft', step: 1 }, at(1));
    await s.ledger(b.slice(390, 395), 'bounce', { kind: 'block', step: 1 }, at(1));
    await s.ledger(b.slice(150, 151), 'unsubscribe', { via: 'one-click' }, at(24), 'oneclick:b150');

    // Campaign even: 21/400 against 20/400 replies; campaign other: events of other leads do not leak in.
    const ea = range('ev-a', 0, 400);
    const eb = range('ev-b', 0, 400);
    await s.campaign('even', [['A', 'B']], 0.05);
    await s.leads('even', [...ea, ...eb]);
    await s.sent('even', 1, ea, 'A', at(0));
    await s.sent('even', 1, eb, 'B', at(0));
    await s.replies(ea.slice(0, 21), at(5), 'interested');
    await s.replies(eb.slice(0, 20), at(5), 'interested');
  });
  after(async () => {
    await app?.close();
    await tdb?.close();
  });

  const funnel = (f: CampaignStats['totals']) => [f.sent, f.delivered, f.opened, f.clicked, f.replied, f.interested, f.bounced, f.unsubscribed, f.complained];

  test('the funnel per step and variant, each lead once per metric, and the totals', async () => {
    const res = await get('/campaigns/ab/stats');
    assert.equal(res.statusCode, 200, res.body);
    const r = res.json<CampaignStats>();
    assert.equal(r.campaignId, 'ab');
    assert.deepEqual(
      r.steps.map((s) => [s.step, s.variants.map((v) => [v.id, ...funnel(v)])]),
      [
        [
          1,
          [
            // sent delivered opened clicked replied interested bounced unsubscribed complained
            ['A', 400, 380, 200, 50, 60, 20, 10, 1, 0],
            ['B', 400, 390, 0, 0, 30, 10, 5, 1, 1],
          ],
        ],
        [2, [['S2', 200, 1, 0, 0, 9, 0, 0, 1, 0]]],
      ],
    );
    assert.deepEqual(funnel(r.totals), [800, 770, 200, 50, 99, 30, 15, 3, 1]);
    const a = r.steps[0]?.variants[0];
    assert.deepEqual(a?.rates, {
      delivery: 0.95,
      open: 0.5,
      click: 0.125,
      reply: 0.15,
      interested: 0.05,
      bounce: 0.025,
      unsubscribe: 0.0025,
      complaint: 0,
      openOfDelivered: 200 / 380,
      clickOfDelivered: 50 / 380,
    });
  });

  test("a 60/400 against 30/400 reply split wins at the campaign's α = 0.01; a one-variant step is not tested", async () => {
    const r = (await get('/campaigns/ab/stats')).json<CampaignStats>();
    const [one, two] = r.steps;
    assert.equal(one?.test.alpha, 0.01);
    assert.equal(one?.test.winner, 'A');
    assert.match(one?.test.reason ?? '', /^A has the highest reply rate and beats every other variant at α=0\.01 \(p≤0\.00079\)$/);
    const c = one?.test.comparisons[0];
    // Reference: pooled z = 3.356725, p = 7.887e-4; 99% Wald CI [0.017854, 0.132146] (see the unit test's sources).
    assert.equal(c?.a, 'A');
    assert.equal(c?.b, 'B');
    assert.ok(Math.abs((c?.z ?? 0) - 3.356725) < 1e-5);
    assert.ok(Math.abs((c?.pValue ?? 0) - 7.88714e-4) < 1e-8);
    assert.equal(c?.adjustedPValue, c?.pValue);
    assert.ok(Math.abs((c?.ci[0] ?? 0) - 0.017854) < 1e-5 && Math.abs((c?.ci[1] ?? 0) - 0.132146) < 1e-5);
    assert.deepEqual(two?.test, { metric: 'reply_rate', alpha: 0.01, comparisons: [], winner: null, reason: 'one variant: nothing to compare' });
  });

  test('21/400 against 20/400 names no winner, and says why', async () => {
    const r = (await get('/campaigns/even/stats')).json<CampaignStats>();
    const t = r.steps[0]?.test;
    assert.deepEqual(
      r.steps[0]?.variants.map((v) => [v.id, v.sent, v.replied, v.interested]),
      [
        ['A', 400, 21, 21],
        ['B', 400, 20, 20],
      ],
    );
    assert.equal(t?.winner, null);
    assert.equal(t?.reason, 'no significant difference at α=0.05 (p=0.87)');
    assert.deepEqual(funnel(r.totals), [800, 0, 0, 0, 41, 41, 0, 0, 0]);
  });

  test('an unknown campaign is a 404 problem, and the route needs a key', async () => {
    const res = await get('/campaigns/nope/stats');
    assert.equal(res.statusCode, 404);
    assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    assert.equal(res.json<{ detail: string }>().detail, 'no campaign nope');
    assert.equal((await get('/campaigns/ab/stats', {})).statusCode, 401);
  });

  test('`leadflow campaign stats` prints the table and the verdict, and --json the API shape', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-campaign-stats-'));
    const env = { DATABASE_URL: tdb.url, LEADFLOW_DATA_DIR: dataDir };
    try {
      const text = await runCli(['campaign', 'stats', 'ab'], env);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /^A\s+400\s+380\s+200\s+50\s+60\s+20\s+10\s+1\s+0\s+15\.0%/m);
      assert.match(text.stdout, /winner A: A has the highest reply rate/);
      const json = await runCli(['campaign', 'stats', 'even', '--json'], env);
      assert.equal(json.code, 0, json.stderr);
      assert.deepEqual(JSON.parse(json.stdout), (await get('/campaigns/even/stats')).json());
      const missing = await runCli(['campaign', 'stats', 'nope'], env);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no campaign nope/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
