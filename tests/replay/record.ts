// Records the committed histories: runs each scenario on a real dev server with the real worker
// and saves its history under histories/<workflowType>/<scenario>.json. Run after changing a
// workflow's paths: `npm run histories:record` (keep the old files; add new ones).
import fs from 'node:fs';
import path from 'node:path';
import { HISTORIES_DIR, recordHistory } from '../../temporal/histories.js';
import { createLeadWorker } from '../../workers/lead-worker.js';
import { makeLeadInput } from '../helpers/leads.js';
import { createDevServerEnv, uniqueName } from '../helpers/temporal.js';
import { openTestDb } from '../helpers/test-db.js';
import { leadScenarios } from './scenarios.js';

const only = process.argv.slice(2);
const env = await createDevServerEnv();
const tdb = await openTestDb();
try {
  const taskQueue = uniqueName('record');
  const worker = await createLeadWorker({ connection: env.nativeConnection, namespace: 'default', db: tdb.db, taskQueue });
  await worker.runUntil(async () => {
    for (const scenario of leadScenarios) {
      if (only.length > 0 && !only.includes(scenario.name)) continue;
      const file = path.join(HISTORIES_DIR, 'leadWorkflow', `${scenario.name}.json`);
      if (fs.existsSync(file) && !process.env.OVERWRITE) {
        console.log(`keep     ${path.relative(process.cwd(), file)} (set OVERWRITE=1 to re-record)`);
        continue;
      }
      const workflowId = await scenario.run(env.client, taskQueue, makeLeadInput);
      await recordHistory(env.client, workflowId, file);
      console.log(`recorded ${path.relative(process.cwd(), file)}`);
    }
  });
} finally {
  await tdb.close();
  await env.teardown();
}
