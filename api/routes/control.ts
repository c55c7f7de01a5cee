// The global emergency stop. POST /control/emergency-stop answers 200 only once the stop is
// committed to the database (the acknowledgement: no provider call starts after it unless it was
// already in flight); POST /control/resume lifts it under a throttled ramp; GET /control shows who,
// when, why and the ramp, read from the database (the truth every send reads). Stop and resume
// are admin-only and go through the control workflow, which serialises them and keeps their
// history; the metric leadflow_emergency_stop_active reads the flag at scrape time.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { Gauge } from 'prom-client';
import { singleMetric } from '../../config/metrics.js';
import { controlView, getSendingControl, isSendingStopped, type Database } from '../../db/index.js';
import { emergencyStop, resumeSending, type ControlClientOptions } from '../../temporal/control-client.js';
import { sendProblem } from '../errors.js';
import { KeyProblems, Problem } from '../schemas/common.js';
import { ControlStateSchema, EmergencyStopBody, ResumeBody } from '../schemas/control.js';

export interface ControlRouteOptions {
  /** How long a stop or resume may wait for its acknowledgement before the API answers 504 (default 30 s). */
  ackTimeoutMs?: number;
  /** Where the control workflow runs (default: the lead worker's queue and the one singleton); tests give their own. */
  client?: ControlClientOptions;
}

// prom-client keeps one gauge per process; the API that registered last is the one it reads.
let metricDb: Kysely<Database> | null = null;
const stopGauge = () =>
  singleMetric(
    'leadflow_emergency_stop_active',
    () =>
      new Gauge({
        name: 'leadflow_emergency_stop_active',
        help: '1 while the global emergency stop is in force (read from the database at scrape time), else 0; NaN when the database cannot be read',
        async collect() {
          if (metricDb === null) return;
          try {
            this.set((await isSendingStopped(metricDb)) ? 1 : 0);
          } catch {
            this.set(Number.NaN);
          }
        },
      }),
  );

/** Who: the API key's name, as the audit log names the actor. */
const actor = (req: FastifyRequest) => req.apiKey?.name ?? 'unknown API key';

class AckTimeout extends Error {}
function withinAck<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AckTimeout()), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export const controlRoutes: FastifyPluginAsyncTypebox<ControlRouteOptions> = async (app, opts) => {
  const ackMs = opts.ackTimeoutMs ?? 30_000;
  stopGauge();
  metricDb = app.db;
  app.addHook('onClose', async () => {
    if (metricDb === app.db) metricDb = null;
  });

  // The update is durable once accepted: on a timeout it still lands when a worker picks it up.
  async function command<T>(reply: Parameters<typeof sendProblem>[0], what: string, run: () => Promise<T>) {
    try {
      return await withinAck(run(), ackMs);
    } catch (err) {
      if (err instanceof AckTimeout)
        return sendProblem(
          reply,
          504,
          `the ${what} was not acknowledged within ${ackMs / 1000} s (is a lead worker running?); GET /control shows when it lands`,
        );
      if (err instanceof WorkflowUpdateFailedError) return sendProblem(reply, 400, err.cause?.message ?? err.message);
      throw err;
    }
  }

  app.get('/control', { config: { auth: 'read' }, schema: { response: { 200: ControlStateSchema, ...KeyProblems } } }, async () =>
    controlView(await getSendingControl(app.db)),
  );

  app.post(
    '/control/emergency-stop',
    {
      config: { auth: 'admin' },
      schema: { body: EmergencyStopBody, response: { 200: ControlStateSchema, 400: Problem, 504: Problem, ...KeyProblems } },
    },
    async (req, reply) => command(reply, 'stop', () => emergencyStop(app.temporal, { reason: req.body.reason.trim(), by: actor(req) }, opts.client)),
  );

  app.post(
    '/control/resume',
    {
      config: { auth: 'admin' },
      schema: { body: ResumeBody, response: { 200: ControlStateSchema, 400: Problem, 504: Problem, ...KeyProblems } },
    },
    async (req, reply) =>
      command(reply, 'resume', () => resumeSending(app.temporal, { by: actor(req), ...(req.body.ramp !== undefined && { ramp: req.body.ramp }) }, opts.client)),
  );
};
