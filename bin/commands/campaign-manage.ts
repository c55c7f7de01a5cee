// `leadflow campaign create|list|show|start|pause|resume|cancel`: thin calls to the campaign API,
// so a definition is validated, and a pause acknowledged, exactly as for any other client. Each
// prints a short summary, or the API's JSON with --json; an HTTP problem exits 1 with its detail.
import type { Command } from 'commander';
import type { CampaignView } from '../../api/campaigns/view.js';

// Loaded by the action that uses it, so `--help` stays free of the HTTP client.
const api = () => import('../lib/api-client.js');

async function call(method: 'GET' | 'POST', path: string, json?: unknown): Promise<unknown> {
  const { apiTarget, apiRequest } = await api();
  return (await apiRequest(await apiTarget(), method, path, json === undefined ? {} : { json })).body;
}

const campaignPath = (id: string, rest = '') => `/campaigns/${encodeURIComponent(id)}${rest}`;

function summary(c: CampaignView & { live?: unknown; liveError?: string }): string {
  const spec = c.spec as { steps?: unknown[]; inboxes?: string[]; channel?: string };
  const status = [c.status, c.statusBy && `by ${c.statusBy}`, c.statusReason && `(${c.statusReason})`].filter(Boolean).join(' ');
  const lines = [
    `campaign ${c.id}: ${c.name}`,
    `  status    ${status}`,
    `  version   ${c.version}`,
    `  steps     ${spec.steps?.length ?? 0} (${spec.channel ?? 'email'}, inboxes ${(spec.inboxes ?? []).join(', ')})`,
    `  workflow  ${c.workflowId}`,
  ];
  if (c.totals !== null)
    lines.push(
      `  totals    ${Object.entries(c.totals)
        .map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
        .join(', ')}`,
    );
  if (c.liveError !== undefined) lines.push(`  live      ${c.liveError}`);
  return lines.join('\n');
}

const print = (json: boolean | undefined, value: unknown, text: () => string) => console.log(json ? JSON.stringify(value, null, 2) : text());

export function manageCommands(group: Command): void {
  group
    .command('create <file>')
    .description('define a campaign from a JSON file (the POST /campaigns body); a 400 names every problem')
    .option('--json', 'print the created campaign as JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const { readInput } = await import('../lib/read-input.js');
      let spec: unknown;
      try {
        spec = JSON.parse((await readInput(file, 1024 * 1024)).toString('utf8'));
      } catch (err) {
        throw new Error(`${file === '-' ? 'stdin' : file}: not JSON (${(err as Error).message})`);
      }
      const c = (await call('POST', '/campaigns', spec)) as CampaignView;
      print(o.json, c, () => `${summary(c)}\nimport prospects next: leadflow campaign import ${c.id} FILE.csv`);
    });

  group
    .command('list')
    .description('campaigns, newest first')
    .option('--status <status>', 'only this status (draft, running, paused, cancelling, cancelled, finished)')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print the API answer as JSON')
    .action(async (o: { status?: string; limit: string; json?: boolean }) => {
      const q = new URLSearchParams({ limit: o.limit, ...(o.status !== undefined && { status: o.status }) });
      const page = (await call('GET', `/campaigns?${q.toString()}`)) as { items: CampaignView[] };
      print(o.json, page, () =>
        page.items.length === 0 ? '(no campaigns)' : page.items.map((c) => `${c.id}  ${c.status.padEnd(10)}  ${c.createdAt}  ${c.name}`).join('\n'),
      );
    });

  group
    .command('show <id>')
    .description('a campaign: definition summary, status (who, why), totals, and its workflow')
    .option('--json', 'print the API answer as JSON (the whole definition and the live state)')
    .action(async (id: string, o: { json?: boolean }) => {
      const c = (await call('GET', campaignPath(id))) as CampaignView;
      print(o.json, c, () => summary(c));
    });

  for (const action of ['start', 'pause', 'resume', 'cancel'] as const) {
    group
      .command(`${action} <id>`)
      .description(`${action} the campaign${action === 'pause' || action === 'cancel' ? ' (no send starts once this answers)' : ''}`)
      .option('--reason <text>', 'why, kept with the status')
      .option('--json', 'print the API answer as JSON')
      .action(async (id: string, o: { reason?: string; json?: boolean }) => {
        const r = (await call('POST', campaignPath(id, `/${action}`), o.reason === undefined ? undefined : { reason: o.reason })) as {
          campaign: CampaignView;
          changed: boolean;
        };
        print(o.json, r, () => `campaign ${r.campaign.id}: ${r.campaign.status}${r.changed ? '' : ' (unchanged: it already was)'}`);
      });
  }
}
