// Records the committed histories: runs each scenario on a real dev server (and a real IMAP
// server for the watcher) with the real workers and saves each history under
// histories/<workflowType>/<scenario>.json. Run after changing a workflow's paths:
// `npm run histories:record [scenario...]` (existing files are kept; OVERWRITE=1 replaces them).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../config/logger.js';
import { addSalesperson } from '../../db/index.js';
import { HISTORIES_DIR, recordHistory } from '../../temporal/histories.js';
import { testControlWorker, testLeadWorker } from '../helpers/lead-worker.js';
import { createMailboxWorker } from '../../workers/mailbox-worker.js';
import { bundleWorkflows } from '../../workers/bundle.js';
import { makeLeadInput } from '../helpers/leads.js';
import { startMailServer } from '../helpers/mailserver.js';
import { createDevServerEnv, uniqueName } from '../helpers/temporal.js';
import { openTestDb } from '../helpers/test-db.js';
import { leadScenarios } from './scenarios.js';
import { pipelineScenarios } from './pipeline-scenarios.js';
import { handoverScenarios } from './handover-scenarios.js';
import { watcherScenarios } from './watcher-scenarios.js';
import { controlScenarios } from './control-scenarios.js';
import { inboxScenarios } from './inbox-scenarios.js';
import { inboxSlotScenarios } from './inbox-slot-scenarios.js';
import { retentionScenarios } from './retention-scenarios.js';
import { campaignScenarios } from './campaign-scenarios.js';
import { TEST_LEAD_ID_SECRET, testDataConverter } from '../helpers/codec.js';
import { LEAD_WORKFLOW_TYPE } from '../../workflows/lead/contract.js';

const only = process.argv.slice(2);
const wanted = (name: string, file: string) => {
  if (only.length > 0 && !only.includes(name)) return false;
  if (fs.existsSync(file) && !process.env.OVERWRITE) {
    console.log(`keep     ${path.relative(process.cwd(), file)} (OVERWRITE=1 to re-record)`);
    return false;
  }
  return true;
};

// One bundle for the many workers below (a worker each lead scenario), built once.
let ownBundle: string | null = null;
if (process.env.LEADFLOW_WORKFLOW_BUNDLE === undefined) {
  ownBundle = path.join(os.tmpdir(), `leadflow-record-${process.pid}.js`);
  fs.writeFileSync(ownBundle, (await bundleWorkflows()).code);
  process.env.LEADFLOW_WORKFLOW_BUNDLE = ownBundle;
}
const env = await createDevServerEnv();
const tdb = await openTestDb();
// The salesperson the handover scenarios route to (leads from source `replay`).
await addSalesperson(tdb.db, { id: 'replay-rep', name: 'Replay Rep', email: 'rep@example.com', managerEmail: 'manager@example.com', team: 'replay' });
const user = { user: 'leads@example.com', password: 'record-secret', email: 'leads@example.com' };
try {
  const taskQueue = uniqueName('record');
  // A lead held by the emergency stop asks again after 1 s (default 5 minutes), so the
  // inbox-slot-stop-resume scenario finishes in seconds.
  const worker = await testLeadWorker(env, tdb.db, { taskQueue, services: { stopRecheckMs: 1000 } });
  await worker.runUntil(async () => {
    // Leads start as LEAD_WORKFLOW_TYPE (leadWorkflowV2), so the lead scenarios record under its
    // directory. histories/leadWorkflow keeps the old type's runs (before and after its lean path,
    // `lean-` names): no code starts that type any more, so those files are kept, never re-recorded.
    for (const scenario of [
      ...leadScenarios,
      ...pipelineScenarios,
      ...handoverScenarios,
      ...controlScenarios,
      ...inboxScenarios,
      ...inboxSlotScenarios,
      ...retentionScenarios,
    ]) {
      const file = path.join(HISTORIES_DIR, scenario.workflowType ?? LEAD_WORKFLOW_TYPE, `${scenario.name}.json`);
      if (!wanted(scenario.name, file)) continue;
      // Each on a worker and queue of its own, so on implicit inboxes of its own: a bounce or a
      // complaint in one scenario lowers its inbox's health (below 80: ten sends a day), which
      // would hold the first messages of the scenarios after it.
      const queue = uniqueName('record-lead');
      const leadWorker = await testLeadWorker(env, tdb.db, { taskQueue: queue, services: { stopRecheckMs: 1000 } });
      // The emergency stop's worker beside it: the control scenarios and a lead held by a stop.
      const controlWorker = await testControlWorker(env, tdb.db, { taskQueue: queue });
      const recorded = await controlWorker.runUntil(leadWorker.runUntil(scenario.run(env.client, queue, makeLeadInput)));
      const runs =
        typeof recorded === 'string'
          ? [{ id: recorded, runId: undefined, file }]
          : recorded.runIds.map((runId, i) => ({ id: recorded.workflowId, runId, file: i === 0 ? file : file.replace(/\.json$/, `-run${i + 1}.json`) }));
      for (const run of runs) {
        await recordHistory(env.client, run.id, run.file, run.runId);
        console.log(`recorded ${path.relative(process.cwd(), run.file)}`);
      }
    }
    for (const scenario of campaignScenarios) {
      const file = path.join(HISTORIES_DIR, 'campaignWorkflow', `${scenario.name}.json`);
      // A campaign's lead is recorded under the lead type new leads start as: its file may be
      // wanted while the campaign's own files are kept.
      const leadFile = scenario.leadName !== undefined ? path.join(HISTORIES_DIR, LEAD_WORKFLOW_TYPE, `${scenario.leadName}.json`) : null;
      const campaignWanted = wanted(scenario.name, file);
      const leadWanted = leadFile !== null && wanted(scenario.leadName ?? '', leadFile);
      if (!campaignWanted && !leadWanted) continue;
      const recorded = await scenario.run({ client: env.client, db: tdb.db, taskQueue });
      for (const [i, runId] of campaignWanted ? recorded.runIds.entries() : []) {
        const runFile = i === 0 ? file : file.replace(/\.json$/, `-run${i + 1}.json`);
        await recordHistory(env.client, recorded.workflowId, runFile, runId);
        console.log(`recorded ${path.relative(process.cwd(), runFile)}`);
      }
      if (leadWanted && leadFile !== null && recorded.lead !== undefined) {
        await recordHistory(env.client, recorded.lead.leadId, leadFile);
        console.log(`recorded ${path.relative(process.cwd(), leadFile)}`);
      }
    }
    for (const scenario of watcherScenarios) {
      const file = path.join(HISTORIES_DIR, 'mailboxWatcherWorkflow', `${scenario.name}.json`);
      if (!wanted(scenario.name, file)) continue;
      // A fresh IMAP server per scenario: its watcher workflow ID is derived from the mailbox.
      const mail = await startMailServer({ users: [user] });
      try {
        const imap = {
          ...mail.imap,
          user: user.user,
          password: user.password,
          mailboxes: ['INBOX'],
          processedFlag: '\\Seen',
          moveTo: undefined,
          pollSeconds: 5,
        };
        const mailQueue = uniqueName('record-mail');
        const mw = await createMailboxWorker({
          dataConverter: testDataConverter,
          leadIdSecret: TEST_LEAD_ID_SECRET,
          connection: env.nativeConnection,
          namespace: 'default',
          client: env.client,
          db: tdb.db,
          imap,
          log: createLogger('silent'),
          taskQueue: mailQueue,
          leadTaskQueue: taskQueue,
          runForMs: scenario.runForMs,
        });
        const workflowId = await mw.runUntil(scenario.run({ client: env.client, db: tdb.db, mail, user, imap, mailQueue }));
        await recordHistory(env.client, workflowId, file);
        console.log(`recorded ${path.relative(process.cwd(), file)}`);
      } finally {
        await mail.stop();
      }
    }
  });
} finally {
  await tdb.close();
  await env.teardown();
  if (ownBundle !== null) fs.rmSync(ownBundle, { force: true });
}
