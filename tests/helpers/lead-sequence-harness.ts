// Shared scaffolding for the lead-sequence tests on the time-skipping test server with real
// activities on a real PostgreSQL: a worker per test whose sends go through the real ledger to
// recording transports, lead submission that terminates whatever still runs, and state polling.
// Call leadSequenceHarness() inside a describe block: it registers the before/after hooks that
// open and close the test database.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { queryLeadState, submitLead } from '../../temporal/lead-client.js';
import { createLeadWorker } from '../../workers/lead-worker.js';
import type { LeadInput, LeadState } from '../../workflows/lead/contract.js';
import { testDataConverter, testIdentity } from './codec.js';
import { makeLeadInput } from './leads.js';
import { recordingTransport, type RecordingTransport } from './recording-transport.js';
import { testServices } from './services.js';
import { createTimeSkippingEnv, terminateRunning, uniqueName } from './temporal.js';
import { openTestDb, type TestDb } from './test-db.js';

export const DAY = 86_400_000;

/** What one test's worker runs against: its server, the shared database and its transports. */
export interface LeadSequenceRun {
  env: TestWorkflowEnvironment;
  tdb: TestDb;
  email: RecordingTransport;
  sms: RecordingTransport;
}

type WorkerOpts = { refuse?: (to: string) => boolean };
type WorkerFn<T> = (taskQueue: string, run: LeadSequenceRun) => Promise<T>;

export interface LeadSequenceHarness {
  /** The current test's server (set by withWorker). */
  readonly env: TestWorkflowEnvironment;
  /** The test database, opened once for the describe block. */
  readonly tdb: TestDb;
  /** The current test's recording transports (new for each worker). */
  readonly email: RecordingTransport;
  readonly sms: RecordingTransport;
  /** Leads started in the current worker, terminated when it stops. */
  readonly started: string[];
  // Plain functions (closures, no `this`): safe to destructure.
  withWorker: <T>(fn: WorkerFn<T>, opts?: WorkerOpts) => Promise<T>;
  withEnvWorker: <T>(fn: WorkerFn<T>, opts: WorkerOpts) => Promise<T>;
  start: (input: LeadInput, taskQueue: string) => Promise<string>;
  until: (leadId: string, ok: (s: LeadState) => boolean, what: string) => Promise<LeadState>;
  sentSteps: (leadId: string) => Promise<number>;
  submit: (taskQueue: string, o?: Partial<LeadInput>) => Promise<string>;
}

export function leadSequenceHarness(): LeadSequenceHarness {
  let env: TestWorkflowEnvironment;
  let tdb: TestDb;
  let email: RecordingTransport;
  let sms: RecordingTransport;

  before(async () => {
    tdb = await openTestDb();
  });
  after(async () => {
    await tdb?.close();
  });

  // A time-skipping server per test (about half a second each): a lead's replies start handover
  // child workflows that outlive it, and on the Java test server a child completing after its
  // parent closed can leave time skipping locked for every later test on that server.
  async function withWorker<T>(fn: WorkerFn<T>, opts: WorkerOpts = {}): Promise<T> {
    env = await createTimeSkippingEnv();
    try {
      return await withEnvWorker(fn, opts);
    } finally {
      await env.teardown();
    }
  }

  async function withEnvWorker<T>(fn: WorkerFn<T>, opts: WorkerOpts): Promise<T> {
    email = recordingTransport(opts);
    sms = recordingTransport();
    const taskQueue = uniqueName('seq');
    const worker = await createLeadWorker({
      client: env.client,
      dataConverter: testDataConverter,
      connection: env.nativeConnection,
      namespace: 'default',
      db: tdb.db,
      taskQueue,
      services: testServices({ transports: { email, sms } }),
    });
    // Ended while the worker still polls: a workflow task left on an unserved queue keeps the
    // time-skipping server's clock locked (see tests/workflow/lead-workflow.test.ts).
    return worker.runUntil(async () => {
      try {
        return await fn(taskQueue, { env, tdb, email, sms });
      } finally {
        await terminateRunning(env.client, started.splice(0));
      }
    });
  }
  const started: string[] = [];
  async function start(input: LeadInput, taskQueue: string): Promise<string> {
    const { leadId } = await submitLead(env.client, input, { identity: testIdentity, taskQueue });
    started.push(leadId);
    return leadId;
  }

  async function until(leadId: string, ok: (s: LeadState) => boolean, what: string): Promise<LeadState> {
    let last: LeadState | undefined;
    for (let i = 0; i < 200; i++) {
      last = await queryLeadState(env.client, leadId);
      if (ok(last)) return last;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`lead ${leadId} never reached: ${what} (last state ${JSON.stringify({ status: last?.status, stepsSent: last?.stepsSent })})`);
  }
  const sentSteps = (leadId: string) => until(leadId, () => true, 'query').then((s) => s.stepsSent ?? 0);
  const submit = (taskQueue: string, o: Partial<LeadInput> = {}) => start(makeLeadInput(o), taskQueue);

  return {
    get env() {
      return env;
    },
    get tdb() {
      return tdb;
    },
    get email() {
      return email;
    },
    get sms() {
      return sms;
    },
    started,
    withWorker,
    withEnvWorker,
    start,
    until,
    sentSteps,
    submit,
  };
}
