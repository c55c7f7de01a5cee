// Replays every committed history against the production workflow bundle. A change to workflow
// code that would break running workflows fails here (fix it with patched() or a new type).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Worker } from '@temporalio/worker';
import * as workflows from '../../workflows/index.js';
import { loadHistories } from '../../temporal/histories.js';
import { workflowBundle } from '../../workers/bundle.js';
import { testDataConverter } from '../helpers/codec.js';

describe('replay of committed histories', () => {
  const histories = loadHistories();

  test('every workflow type has committed histories', () => {
    const covered = new Set(histories.map((h) => h.workflowType));
    const missing = Object.keys(workflows).filter((type) => !covered.has(type));
    assert.deepEqual(missing, [], `record histories for: ${missing.join(', ')} (npm run histories:record)`);
  });

  test('each history replays without non-determinism', async () => {
    assert.ok(histories.length > 0);
    const results = Worker.runReplayHistories(
      // With the payload codec installed, as the workers run: histories written before it pass through.
      { workflowBundle: await workflowBundle(), replayName: 'committed-histories', dataConverter: testDataConverter },
      histories.map((h) => ({ workflowId: h.workflowId, history: h.history })),
    );
    const failures: string[] = [];
    let replayed = 0;
    for await (const r of results) {
      replayed += 1;
      if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
    }
    assert.equal(replayed, histories.length);
    assert.deepEqual(failures, []);
  });

  test('a history that does not match the code is caught (the check can fail)', async () => {
    const h = histories.find((x) => x.workflowType === 'leadWorkflow');
    assert.ok(h, 'needs a leadWorkflow history');
    // Drop the first activity the workflow schedules: the code then issues a command the history lacks.
    const events = h.history.events ?? [];
    const tampered = { ...h.history, events: events.filter((e) => !e.activityTaskScheduledEventAttributes) };
    await assert.rejects(Worker.runReplayHistory({ workflowBundle: await workflowBundle(), replayName: 'tampered' }, tampered, h.workflowId));
  });
});
