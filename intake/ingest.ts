// The one ingest path for every source (IMAP, HTTP, CLI, quarantine retry): find ADF, parse it,
// and signal-with-start one lead workflow per prospect. What cannot become a lead is quarantined
// whole, with the reason; what can, is never blocked by what cannot.
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DealerInboxes } from '../config/index.js';
import { quarantine, type Database } from '../db/index.js';
import { InvalidLeadInputError, submitLead, type StartedLead } from '../temporal/lead-client.js';
import { AdfParseError, parseAdf } from '../domain/adf/parse.js';
import type { AdfProspect } from '../domain/adf/types.js';
import type { ParsedMail } from 'mailparser';
import { extractAdf } from '../domain/mail/extract.js';
import { createInboundRouter } from './inbound-router.js';
import type { IntentClassifier } from '../domain/mail/classify/types.js';
import { adfArrivalToWorkflowStart, adfLeadsProcessed } from './metrics.js';
import { prospectToLeadInput } from './to-lead.js';
import { leadIdentity } from './lead-identity.js';

export type IngestSource = 'imap' | 'http' | 'cli';

export interface IngestMeta {
  source: IngestSource;
  /** Mailbox id, file name, request id: shown with a quarantined item. */
  sourceRef: string | null;
  /** Identifies this arrival: the same key again is the same arrival (a redelivery), not a resend. */
  arrivalKey: string;
  receivedAt: Date;
  contentType?: string | null;
  mail?: { mailbox: string; uidValidity: string; uid: number };
  /** false when re-running a quarantined item: report the problem instead of parking it again. */
  quarantine?: boolean;
}

export interface AcceptedLead extends StartedLead {
  prospect: number;
  status: AdfProspect['status'];
}

export type IngestResult =
  /** `routed`: not a lead but an answer to one of our messages (reply, bounce, ...), signalled to that lead. */
  | { status: 'accepted'; leads: AcceptedLead[]; routed?: { leadId: string; kind: string; signalled: boolean } }
  | { status: 'partial'; leads: AcceptedLead[]; quarantineId: string; reason: string }
  | { status: 'quarantined'; leads: []; quarantineId: string; reason: string; code: string };

interface Problem {
  reason: string;
  code: string;
}

export function createIngestor(deps: {
  client: Client;
  db: Kysely<Database>;
  log: Logger;
  leadIdSecret: string;
  taskQueue?: string;
  classifyIntent?: IntentClassifier | undefined;
  /** DEALER_INBOXES: the inboxes each dealer's leads go out from. */
  dealerInboxes?: DealerInboxes | undefined;
}) {
  const { client, db, log } = deps;
  const identity = leadIdentity(db, deps.leadIdSecret);

  async function park(raw: Buffer, meta: IngestMeta, problem: Problem): Promise<string> {
    if (meta.quarantine === false) return '';
    const { id, inserted } = await quarantine(db, {
      source: meta.source,
      sourceRef: meta.sourceRef,
      mail: meta.mail,
      contentType: meta.contentType ?? null,
      raw,
      reason: problem.reason,
      errorCode: problem.code,
      receivedAt: meta.receivedAt,
    });
    if (inserted) adfLeadsProcessed.inc({ status: 'quarantined', source: meta.source });
    log.warn({ quarantineId: id, source: meta.source, sourceRef: meta.sourceRef, code: problem.code, reason: problem.reason }, 'input quarantined');
    return id;
  }

  async function parseAll(raw: Buffer): Promise<{ prospects: AdfProspect[] } | (Problem & { mail?: ParsedMail | null })> {
    let extracted;
    try {
      extracted = await extractAdf(raw);
    } catch (err) {
      return { code: 'unreadable-mail', reason: `could not read the message: ${(err as Error).message}` };
    }
    if (extracted.candidates.length === 0) {
      return {
        code: 'no-adf',
        reason: extracted.isEmail ? 'the e-mail has no ADF document in its body or attachments' : 'no ADF document found',
        mail: extracted.mail,
      };
    }
    const prospects: AdfProspect[] = [];
    const errors: string[] = [];
    for (const c of extracted.candidates) {
      try {
        prospects.push(...parseAdf(c.bytes).prospects);
      } catch (err) {
        if (!(err instanceof AdfParseError)) throw err;
        errors.push(`${c.where}: ${err.message}`);
      }
    }
    // Any parseable copy wins: a broken body next to a good attachment is still a lead.
    if (prospects.length === 0) return { code: 'bad-adf', reason: errors.join('; ') };
    return { prospects };
  }

  const route = createInboundRouter({ client, db, classifyIntent: deps.classifyIntent });

  async function ingestOnce(raw: Buffer, meta: IngestMeta): Promise<IngestResult> {
    const parsed = await parseAll(raw);
    if (!('prospects' in parsed) && parsed.code === 'no-adf' && parsed.mail != null) {
      // Mail without ADF is usually an answer to us: route it to its lead, or keep it as unmatched.
      const routed = await route(raw, parsed.mail, meta.receivedAt);
      if (routed.matched) {
        log.info({ leadId: routed.leadId, kind: routed.kind, source: meta.source }, 'inbound mail routed to its lead');
        return { status: 'accepted', leads: [], routed: { leadId: routed.leadId, kind: routed.kind, signalled: routed.signalled } };
      }
      const problem = { code: 'unmatched-inbound', reason: `no ADF lead, and ${routed.reason}` };
      return { status: 'quarantined', leads: [], quarantineId: await park(raw, meta, problem), reason: problem.reason, code: problem.code };
    }
    if (!('prospects' in parsed)) {
      return { status: 'quarantined', leads: [], quarantineId: await park(raw, meta, parsed), reason: parsed.reason, code: parsed.code };
    }
    const leads: AcceptedLead[] = [];
    const rejected: string[] = [];
    // A lead e-mail often carries the same XML twice (body and attachment): one arrival each.
    const unique = [...new Map(parsed.prospects.map((p) => [JSON.stringify(p), p])).values()];
    for (const [i, prospect] of unique.entries()) {
      const input = prospectToLeadInput(prospect, deps.dealerInboxes);
      let started: StartedLead;
      try {
        // submitLead validates before any Temporal call; its typed error is the per-prospect refusal.
        started = await submitLead(client, input, { identity, arrivalId: `${meta.arrivalKey}#${i}`, ...(deps.taskQueue ? { taskQueue: deps.taskQueue } : {}) });
      } catch (err) {
        if (!(err instanceof InvalidLeadInputError)) throw err;
        rejected.push(`prospect ${i + 1}: ${err.message}`);
        continue;
      }
      adfArrivalToWorkflowStart.observe({ source: meta.source }, (Date.now() - meta.receivedAt.getTime()) / 1000);
      adfLeadsProcessed.inc({ status: 'accepted', source: meta.source });
      leads.push({ ...started, prospect: i, status: prospect.status });
    }
    if (rejected.length === 0) return { status: 'accepted', leads };
    const problem = { code: 'unidentifiable-prospect', reason: rejected.join('; ') };
    const quarantineId = await park(raw, meta, problem);
    if (leads.length === 0) return { status: 'quarantined', leads: [], quarantineId, reason: problem.reason, code: problem.code };
    return { status: 'partial', leads, quarantineId, reason: problem.reason };
  }

  return async function ingest(raw: Buffer, meta: IngestMeta): Promise<IngestResult> {
    try {
      return await ingestOnce(raw, meta);
    } catch (err) {
      // Counted for the "lead processing failures" alert; the caller (IMAP redelivery, HTTP 5xx) retries.
      adfLeadsProcessed.inc({ status: 'failed', source: meta.source });
      throw err;
    }
  };
}

export type Ingest = ReturnType<typeof createIngestor>;
