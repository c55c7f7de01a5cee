// `leadflow leads add|show|stop|pause|resume|retry`: start, inspect and steer lead workflows from a terminal.
import type { Command } from 'commander';
import type { SignalDefinition } from '@temporalio/common';
import type { connectClient } from '../../temporal/connection.js';
import type * as LeadClient from '../../temporal/lead-client.js';
import type * as LeadContract from '../../workflows/lead/contract.js';

interface Loaded {
  client: Awaited<ReturnType<typeof connectClient>>;
  uiUrl: string;
  namespace: string;
  lc: typeof LeadClient;
  contract: typeof LeadContract;
}

// The Temporal client and the lead code are loaded by the action that needs them, so `--help`
// and the other commands never import @temporalio/client.
async function withClient<T>(fn: (loaded: Loaded) => Promise<T>): Promise<T> {
  const [{ connectClient }, lc, contract, { loadConfig }] = await Promise.all([
    import('../../temporal/connection.js'),
    import('../../temporal/lead-client.js'),
    import('../../workflows/lead/contract.js'),
    import('../../config/index.js'),
  ]);
  const config = loadConfig();
  const { dataConverterFromConfig } = await import('../../temporal/data-converter.js');
  const client = await connectClient(config.temporal, await dataConverterFromConfig(config));
  try {
    return await fn({ client, uiUrl: config.temporal.uiUrl, namespace: config.temporal.namespace, lc, contract });
  } finally {
    await client.connection.close();
  }
}

export function registerLeads(program: Command): void {
  const leads = program.command('leads').description('start, inspect and stop lead workflows');

  leads
    .command('add')
    .description('submit a lead (a duplicate of an existing lead merges into it)')
    .option('--source <source>', 'where the lead came from', 'cli')
    .option('--id <externalId>', "the source's own id for the lead")
    .option('--campaign <campaignId>', 'campaign id')
    .option('--first <firstName>')
    .option('--last <lastName>')
    .option('--email <email>')
    .option('--phone <phone>')
    .option('--wait <duration>', 'how long the lead waits before expiring, e.g. "30 days"')
    .action(async (o: Record<string, string | undefined>) => {
      // The database too: a lead created before opaque IDs keeps its readable one (intake/lead-identity.ts).
      const [{ withIngest }, { leadIdentity }, { leadIdSecret }, { loadConfig }] = await Promise.all([
        import('../lib/clients.js'),
        import('../../intake/lead-identity.js'),
        import('../../temporal/lead-ids.js'),
        import('../../config/index.js'),
      ]);
      const config = loadConfig();
      await withIngest('leads', async ({ client, db }) => {
        const { submitLead, workflowUiUrl } = await import('../../temporal/lead-client.js');
        const uiUrl = config.temporal.uiUrl;
        const namespace = config.temporal.namespace;
        const started = await submitLead(
          client,
          {
            source: o.source ?? 'cli',
            externalId: o.id ?? null,
            campaignId: o.campaign ?? null,
            contact: { firstName: o.first ?? null, lastName: o.last ?? null, email: o.email?.trim().toLowerCase() ?? null, phone: o.phone ?? null },
            payload: { submittedBy: 'cli' },
            ...(o.wait !== undefined ? { waitFor: o.wait as `${number} days` } : {}),
          },
          { identity: leadIdentity(db, await leadIdSecret(config)) },
        );
        console.log(JSON.stringify({ ...started, ui: workflowUiUrl(uiUrl, namespace, started.leadId) }, null, 2));
      });
    });

  leads
    .command('show <lead>')
    .description("print a lead workflow's live state; <lead> is its ID, or an e-mail address or phone number")
    .action(async (lead: string) => {
      const leadId = await resolveLead(lead);
      await withClient(async ({ client, lc }) => console.log(JSON.stringify(await lc.queryLeadState(client, leadId), null, 2)));
    });

  leads
    .command('stop <lead>')
    .description('stop a lead')
    .option('--reason <reason>', 'why', 'stopped from the CLI')
    .option('--by <who>', 'who stops it', process.env.USER ?? 'operator')
    .action(async (lead: string, o: { reason: string; by: string }) =>
      signalFromCli(lead, 'stop', (c) => ({ def: c.stopSignal, arg: { reason: o.reason, by: o.by } })),
    );

  const by = process.env.USER ?? 'operator';
  leads
    .command('pause <lead>')
    .description('hold every send of a lead until resume')
    .option('--reason <reason>', 'why', 'paused from the CLI')
    .action(async (lead: string, o: { reason: string }) => signalFromCli(lead, 'pause', (c) => ({ def: c.pauseSignal, arg: { reason: o.reason, by } })));
  leads
    .command('resume <lead>')
    .description('resume a paused lead (a follow-up that fell due while paused goes out once)')
    .action(async (lead: string) => signalFromCli(lead, 'resume', (c) => ({ def: c.resumeSignal, arg: { by } })));
  leads
    .command('retry <lead>')
    .description('resume a lead in needs_attention, optionally with corrected contact data')
    .option('--email <email>')
    .option('--phone <phone>')
    .action(async (lead: string, o: { email?: string; phone?: string }) =>
      signalFromCli(lead, 'retry', (c) => ({
        def: c.retrySignal,
        arg: { by, ...(o.email !== undefined && { email: o.email.trim().toLowerCase() }), ...(o.phone !== undefined && { phone: o.phone }) },
      })),
    );
}

/**
 * `<lead>` arguments: a lead ID, or an e-mail address or phone number. Lead IDs reveal nobody
 * (temporal/lead-ids.ts); the database maps a contact to its newest lead.
 */
async function resolveLead(lead: string): Promise<string> {
  if (lead.startsWith('lead:')) return lead;
  const contact = lead;
  const [{ withDb }, { listLeads }] = await Promise.all([import('../lib/clients.js'), import('../../db/index.js')]);
  const found = await withDb('leads', (db) => listLeads(db, { q: contact.trim().toLowerCase(), limit: 1, offset: 0 }));
  if (found[0] === undefined) throw new Error(`no lead with the e-mail address or phone number ${contact}`);
  return found[0].id;
}

/** An operator's signal; a campaign lead still deferred is woken with it to act now (a plain signal waits with it). */
async function signalFromCli<Arg>(lead: string, what: string, make: (c: typeof LeadContract) => { def: SignalDefinition<[Arg]>; arg: Arg }) {
  const leadId = await resolveLead(lead);
  const [{ withIngest }, { signalIfScheduled }, contract] = await Promise.all([
    import('../lib/clients.js'),
    import('../../api/campaigns/wake-scheduled.js'),
    import('../../workflows/lead/contract.js'),
  ]);
  const signal = make(contract);
  await withIngest('leads', async ({ client, db }) => {
    const woken = await signalIfScheduled(db, client, leadId, signal, undefined);
    if (woken === null) await client.workflow.getHandle(leadId).signal(signal.def, signal.arg);
    console.log(woken === false ? `${leadId} no longer runs` : `${what} sent to ${leadId}`);
  });
}
