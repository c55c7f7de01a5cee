// GET /stats: the operators' morning check — today's (or since `?since=`) sends, deliveries,
// bounces, complaints, replies and the bounce and complaint rates, per inbox and in total, with
// the emergency stop's state. Read from the database (sources: db/repositories/stats.ts). The
// plugin also points the per-inbox gauges on /metrics at this API's database.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sendProblem } from '../errors.js';
import { KeyProblems, Problem } from '../schemas/common.js';
import { StatsQuery, StatsReportSchema } from '../schemas/stats.js';
import { inboxGauges } from '../stats/metrics.js';
import { opsGauges } from '../stats/ops-metrics.js';
import { buildStats, startOfUtcDay } from '../stats/report.js';

export const statsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const release = inboxGauges(app.db);
  // The quarantine and campaign gauges the alerts and the dashboard read (see ops-metrics.ts).
  const releaseOps = opsGauges(app.db);
  app.addHook('onClose', async () => {
    release();
    releaseOps();
  });

  app.get(
    '/stats',
    { config: { auth: 'read' }, schema: { querystring: StatsQuery, response: { 200: StatsReportSchema, 400: Problem, ...KeyProblems } } },
    async (req, reply) => {
      const now = Date.now();
      // The schema checks the format; this catches what a format check lets through and a Date cannot hold.
      const since = req.query.since === undefined ? startOfUtcDay(now) : new Date(req.query.since);
      if (Number.isNaN(since.getTime()))
        return sendProblem(reply, 400, 'since must be an ISO-8601 time with a zone', { errors: [{ field: '/since', message: 'must be an ISO-8601 time' }] });
      return buildStats(app.db, since, now);
    },
  );
};
