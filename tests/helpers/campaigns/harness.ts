// A campaign stack for tests: the dev server, PostgreSQL, the real lead worker sending through the
// real @sendgrid/mail client to the stand-in (which counts every message it accepts), and the API
// with a write key, its campaign workflow on the worker's queue with small pages and a short poll.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../../api/app.js';
import { createLogger } from '../../../config/logger.js';
import { createApiKey } from '../../../db/index.js';
import { localTransport, sendGridTransport } from '../../../activities/send/transports.js';
import { createSendGridSender } from '../../../activities/sendgrid/sender.js';
import type { CampaignSpec } from '../../../domain/campaigns/spec.js';
import { TEST_LEAD_ID_SECRET } from '../codec.js';
import { startDevStack, type DevStack } from '../stack.js';
import { startSendGrid, type AcceptedMail } from '../standins/sendgrid.js';
import { uniqueName } from '../temporal.js';

export interface CampaignStack {
  stack: DevStack;
  sg: Awaited<ReturnType<typeof startSendGrid>>;
  app: FastifyInstance;
  taskQueue: string;
  auth: Record<string, string>;
  /** An authorised request to the app: an object payload goes as JSON, a string as it is. */
  api(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  stop(): Promise<void>;
}

export async function startCampaignStack(opts: { pageSize?: number; latencyMs?: () => number; deferStartMinMs?: number } = {}): Promise<CampaignStack> {
  const taskQueue = uniqueName('campaigns');
  const sg = await startSendGrid({ apiKey: 'SG.campaigns', ...(opts.latencyMs !== undefined && { latencyMs: opts.latencyMs }) });
  const sender = createSendGridSender({ apiKey: 'SG.campaigns', baseUrl: sg.url });
  const stack = await startDevStack({
    leadWorker: {
      taskQueue,
      services: {
        transports: { email: sendGridTransport(sender, 'sales@dealer.example.com'), sms: localTransport() },
        stopRecheckMs: 1_000,
        campaignRecheckMs: 1_000,
        ...(opts.deferStartMinMs !== undefined && { deferStartMinMs: opts.deferStartMinMs }),
      },
    },
  });
  const app = await buildApp({
    db: stack.tdb.db,
    temporal: stack.env.client,
    leadIdSecret: TEST_LEAD_ID_SECRET,
    logger: createLogger('silent', 'api'),
    campaigns: { workflow: { taskQueue, pageSize: opts.pageSize ?? 50, pollMs: 1_000 } },
  });
  const auth = { authorization: `Bearer ${(await createApiKey(stack.tdb.db, uniqueName('campaigns'), ['read', 'write'])).key}` };
  return {
    stack,
    sg,
    app,
    taskQueue,
    auth,
    api: (method, url, payload, headers = {}) =>
      app.inject({
        method,
        url,
        headers: { ...auth, ...(payload !== undefined && typeof payload !== 'string' && { 'content-type': 'application/json' }), ...headers },
        ...(payload !== undefined && { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
      }),
    stop: async () => {
      await app.close();
      await stack.stop();
      await sg.close();
    },
  };
}

/** The send key the ledger gave the message (lead + step + resend): one per (lead, step). */
export const keyOf = (m: AcceptedMail): string => (m.body.custom_args as Record<string, string> | undefined)?.idempotency_key ?? '?';
export const subjectOf = (m: AcceptedMail): string => (typeof m.body.subject === 'string' ? m.body.subject : '');

/** Every day, all day: the tests do not wait for a window. */
export const ALWAYS_OPEN = { days: [0, 1, 2, 3, 4, 5, 6], startHour: 0, endHour: 24, timeZone: 'UTC' };

export function campaignSpec(over: Partial<CampaignSpec> = {}): CampaignSpec {
  return {
    name: 'Spring fleet offer',
    inboxes: ['default'],
    channel: 'email',
    steps: [
      {
        delay: '1 second',
        variants: [
          { id: 'A', weight: 1, subject: 'A: hello {{ firstName | default: "there" }}', body: 'Hi {{ firstName | default: "there" }}, {{ senderName }} here.' },
          {
            id: 'B',
            weight: 1,
            subject: 'B: a question for {{ company | default: "your team" }}',
            body: 'Hello {{ firstName | default: "there" }}, a quick one.',
          },
        ],
      },
      {
        delay: '4 seconds',
        variants: [{ id: 'F', weight: 1, subject: 'Following up, {{ firstName | default: "there" }}', body: 'Just checking in. {{ senderName }}' }],
      },
    ],
    window: ALWAYS_OPEN,
    dailyNewLeads: null,
    senderName: 'Harbor Fleet Team',
    skipActiveElsewhere: true,
    significance: 0.05,
    waitFor: '3 seconds',
    ...over,
  };
}

/** A CSV of `n` prospects (Prospect 1 … n) with a plan column kept as a custom field. */
export function prospectsCsv(n: number, opts: { domain?: string; extraRows?: string[] } = {}): string {
  const rows = Array.from({ length: n }, (_, i) => `p${i + 1}@${opts.domain ?? 'fleet.example.com'},Prospect${i + 1},Fleet Co ${i % 7},plan-${i % 3}`);
  return ['Email,First Name,Company,Plan', ...rows, ...(opts.extraRows ?? [])].join('\r\n') + '\r\n';
}
