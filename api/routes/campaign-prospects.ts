// POST /campaigns/:id/prospects: a CSV (text/csv; charset=utf-8 or windows-1252) or JSON list,
// streamed, every row validated; valid rows are accepted and invalid ones come back with row,
// field and reason, never dropped. Idempotent by Idempotency-Key or by content. GET …/imports/:id
// answers a stored report again. A running campaign is told so its fan-out picks the rows up.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { CampaignClosedError, getCampaign } from '../../db/index.js';
import { ProspectListError, type ProspectMapping } from '../../domain/prospects/index.js';
import { signalProspectsAdded } from '../../temporal/campaign-client.js';
import { importProspects, ImportTooLargeError, reportOf } from '../campaigns/import.js';
import { sendProblem } from '../errors.js';
import { ImportIdParams, ImportParams, ImportQuery, ImportReport } from '../schemas/campaign-prospects.js';
import { KeyProblems, Problem } from '../schemas/common.js';

const STREAMED = ['text/csv', 'application/csv', 'application/json', 'application/octet-stream'];

/** The declared charset as the contract's encoding; a charset it cannot read is returned as a string. */
function encodingOf(req: FastifyRequest): 'utf-8' | 'windows-1252' | 'auto' | { unsupported: string } {
  const charset = /;\s*charset="?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset === undefined || charset === 'us-ascii' || charset === 'ascii') return 'auto';
  if (charset === 'utf-8' || charset === 'utf8') return 'utf-8';
  if (['windows-1252', 'cp1252', 'iso-8859-1', 'latin1'].includes(charset)) return 'windows-1252';
  // Was 'auto': a Shift_JIS or UTF-16 list was then stored as mojibake with a 201. Refused instead.
  return { unsupported: charset };
}

const CLOSED = ['cancelling', 'cancelled', 'finished'];

function formatOf(req: FastifyRequest, asked: 'auto' | 'csv' | 'json'): 'auto' | 'csv' | 'json' {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('application/json')) return 'json';
  if (type.startsWith('text/csv') || type.startsWith('application/csv')) return 'csv';
  return asked;
}

function mappingOf(text: string | undefined): ProspectMapping | string | undefined {
  if (text === undefined) return undefined;
  try {
    const m = JSON.parse(text) as unknown;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'mapping must be a JSON object of column → field';
    for (const v of Object.values(m)) if (v !== null && typeof v !== 'string') return 'mapping values must be a field name or null';
    return m as ProspectMapping;
  } catch {
    return 'mapping is not valid JSON';
  }
}

export const campaignProspectRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // This plugin's own parsers: the body reaches the handler as a stream (the JSON one too, so a
  // JSON list gets per-row problems from the same contract as a CSV).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(STREAMED, (_req, payload, done) => done(null, payload));

  app.post(
    '/campaigns/:id/prospects',
    {
      config: { auth: 'write' },
      schema: {
        params: ImportParams,
        querystring: ImportQuery,
        response: { 200: ImportReport, 201: ImportReport, 400: Problem, 404: Problem, 409: Problem, 413: Problem, 415: Problem, ...KeyProblems },
      },
    },
    async (req, reply) => {
      const campaign = await getCampaign(app.db, req.params.id);
      if (campaign === undefined) return sendProblem(reply, 404, `no campaign ${req.params.id}`);
      // A dry run stores nothing, so storeImport's closed check never ran and it answered "accepted"
      // for a campaign the real import would refuse: it must predict that 409.
      if (req.query.dryRun && CLOSED.includes(campaign.status)) return sendProblem(reply, 409, new CampaignClosedError(campaign.id, campaign.status).message);
      const encoding = encodingOf(req);
      if (typeof encoding === 'object')
        return sendProblem(reply, 415, `charset ${encoding.unsupported} is not supported: send the list as UTF-8 or Windows-1252`, {
          errors: [{ field: 'header.content-type', message: `charset ${encoding.unsupported} is not supported` }],
        });
      const mapping = mappingOf(req.query.mapping);
      if (typeof mapping === 'string') return sendProblem(reply, 400, mapping, { errors: [{ field: 'query.mapping', message: mapping }] });
      const body = req.body as AsyncIterable<Uint8Array> | undefined;
      if (body === undefined || body === null)
        return sendProblem(reply, 400, 'the request has no body: send the prospect list as text/csv or application/json');
      const keyHeader = req.headers['idempotency-key'];
      const key = typeof keyHeader === 'string' && keyHeader.trim() !== '' ? keyHeader.trim().slice(0, 200) : null;
      try {
        const report = await importProspects(app.db, {
          campaignId: campaign.id,
          body,
          format: formatOf(req, req.query.format),
          encoding,
          mapping,
          region: req.query.region?.toUpperCase(),
          key,
          dryRun: req.query.dryRun,
          by: `api-key:${req.apiKey?.name ?? 'unknown'}`,
        });
        if (report.created && (campaign.status === 'running' || campaign.status === 'paused') && report.importId !== null)
          await signalProspectsAdded(app.temporal, campaign.id, report.importId);
        return reply.status(report.created ? 201 : 200).send(report);
      } catch (err) {
        if (err instanceof ProspectListError) return sendProblem(reply, 400, err.message, { errors: [{ field: 'body', message: err.message }] });
        if (err instanceof ImportTooLargeError) {
          // The rest of the upload is not read: close the connection rather than drain it.
          reply.header('connection', 'close');
          return sendProblem(reply, 413, err.message);
        }
        if (err instanceof CampaignClosedError) return sendProblem(reply, 409, err.message);
        throw err;
      }
    },
  );

  app.get(
    '/campaigns/:id/imports/:importId',
    { config: { auth: 'read' }, schema: { params: ImportIdParams, response: { 200: ImportReport, 400: Problem, 404: Problem, ...KeyProblems } } },
    async (req, reply) => {
      const row = await app.db
        .selectFrom('campaign_imports')
        .selectAll()
        .where('id', '=', req.params.importId)
        .where('campaign_id', '=', req.params.id)
        .executeTakeFirst();
      return row === undefined ? sendProblem(reply, 404, `no import ${req.params.importId} in campaign ${req.params.id}`) : reportOf(row, false);
    },
  );
};
