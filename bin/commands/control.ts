// `leadflow stop --reason ...`, `leadflow resume [--per-minute N --doubling-minutes M | --no-ramp]`,
// `leadflow control`: the global emergency stop from a terminal. Stop and resume go through the
// control workflow (as the API does) and print the acknowledged state; `control` reads the database.
import type { Command } from 'commander';
import type { Client } from '@temporalio/client';
import type * as ControlClient from '../../temporal/control-client.js';
import type { ControlState, ResumeRamp } from '../../workflows/control/contract.js';

// The Temporal client is loaded by the action that needs it, so `--help` never imports it.
async function withControlClient<T>(fn: (cc: typeof ControlClient, client: Client) => Promise<T>): Promise<T> {
  const [{ connectClient }, cc, { loadConfig }, { dataConverterFromConfig }] = await Promise.all([
    import('../../temporal/connection.js'),
    import('../../temporal/control-client.js'),
    import('../../config/index.js'),
    import('../../temporal/data-converter.js'),
  ]);
  const config = loadConfig();
  const client = await connectClient(config.temporal, await dataConverterFromConfig(config));
  try {
    return await fn(cc, client);
  } finally {
    await client.connection.close();
  }
}

function describeState(s: ControlState): string {
  const lines = [s.stopped ? `SENDING STOPPED since ${s.stoppedAt} by ${s.stoppedBy}: ${s.reason}` : 'sending is running'];
  if (!s.stopped && s.resumedAt !== null) lines.push(`resumed ${s.resumedAt} by ${s.resumedBy} (last stop: ${s.stoppedAt} by ${s.stoppedBy}: ${s.reason})`);
  const r = s.ramp;
  if (!s.stopped && r !== null) {
    lines.push(
      r.active
        ? `ramp: ${r.currentPerMinute}/min now (from ${r.initialPerMinute}/min at ${r.startedAt}, doubling every ${r.doublingEveryMinutes} min, unlimited above ${r.maxPerMinute}/min)`
        : `ramp finished (passed ${r.maxPerMinute}/min): no limit`,
    );
  }
  return lines.join('\n');
}

const operator = () => `cli:${process.env.USER ?? 'operator'}`;

function positive(flag: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be a positive number, not ${v}`);
    return n;
  };
}

export function registerControl(program: Command): void {
  program
    .command('stop')
    .description('emergency stop: halt all sending of every kind (answers once acknowledged)')
    .requiredOption('--reason <reason>', 'why (shown by `leadflow control` and kept in the audit log)')
    .option('--by <who>', 'who stops it', operator())
    .option('--json', 'print the state as JSON')
    .action(async (o: { reason: string; by: string; json?: boolean }) => {
      if (o.reason.trim() === '') throw new Error('--reason must say why');
      const state = await withControlClient((cc, client) => cc.emergencyStop(client, { reason: o.reason.trim(), by: o.by }));
      console.log(o.json ? JSON.stringify(state, null, 2) : describeState(state));
    });

  program
    .command('resume')
    .description('lift the emergency stop; sends restart under a throttled ramp')
    .option('--per-minute <n>', 'messages a minute across the system at first (default RESUME_RAMP_PER_MINUTE or 1)', positive('--per-minute'))
    .option('--doubling-minutes <m>', 'the rate doubles after each such period (default RESUME_RAMP_DOUBLING_MINUTES or 60)', positive('--doubling-minutes'))
    .option('--max-per-minute <n>', 'above this rate the ramp ends (default RESUME_RAMP_MAX_PER_MINUTE or 10000)', positive('--max-per-minute'))
    .option('--no-ramp', 'resume at full speed at once')
    .option('--by <who>', 'who resumes', operator())
    .option('--json', 'print the state as JSON')
    .action(async (o: { perMinute?: number; doublingMinutes?: number; maxPerMinute?: number; ramp: boolean; by: string; json?: boolean }) => {
      const given: Partial<ResumeRamp> = {
        ...(o.perMinute !== undefined && { initialPerMinute: o.perMinute }),
        ...(o.doublingMinutes !== undefined && { doublingEveryMinutes: o.doublingMinutes }),
        ...(o.maxPerMinute !== undefined && { maxPerMinute: o.maxPerMinute }),
      };
      if (!o.ramp && Object.keys(given).length > 0) throw new Error('--no-ramp cannot be combined with ramp settings');
      const ramp = o.ramp ? (Object.keys(given).length > 0 ? given : undefined) : null;
      const state = await withControlClient((cc, client) => cc.resumeSending(client, { by: o.by, ...(ramp !== undefined && { ramp }) }));
      console.log(o.json ? JSON.stringify(state, null, 2) : describeState(state));
    });

  program
    .command('control')
    .description('show the emergency stop: stopped or running, who, when, why, and the resume ramp')
    .option('--json', 'print the state as JSON')
    .action(async (o: { json?: boolean }) => {
      const [{ controlView, getSendingControl }, { withDb }] = await Promise.all([import('../../db/index.js'), import('../lib/clients.js')]);
      const state = await withDb('control', async (db) => controlView(await getSendingControl(db)));
      console.log(o.json ? JSON.stringify(state, null, 2) : describeState(state));
    });
}
