// `leadflow doctor`: what is reachable, what is missing, and a non-zero exit when anything
// required is down — usable by an operator and by a readiness script alike.
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import type { CheckOutcome } from '../../domain/health/probe.js';

export async function runDoctor(): Promise<CheckOutcome[]> {
  const config = loadConfig();
  // Loaded on use: the provider SDKs take seconds to import, which every other command would pay.
  const [{ databaseCheck, temporalChecks }, { providerChecks }] = await Promise.all([
    import('../doctor/core-checks.js'),
    import('../../activities/health/providers.js'),
  ]);
  const results = await Promise.all([databaseCheck(config), temporalChecks(config), ...providerChecks(config)]);
  const flat = results.flat();
  const configured = new Set(flat.map((r) => r.name));
  const optional = ['imap', 'smtp', 'sendgrid', 'twilio', 'openai'].filter((n) => !configured.has(n));
  for (const name of optional) {
    flat.push({ name, required: false, ok: true, detail: 'not configured (local default in use)' });
  }
  return flat;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check every configured dependency; exit 1 when a required one is down')
    .option('--json', 'print the results as JSON')
    .action(async (o: { json?: boolean }) => {
      const results = await runDoctor();
      if (o.json) console.log(JSON.stringify(results, null, 2));
      else {
        for (const r of results) {
          const mark = r.ok ? 'ok  ' : r.required ? 'FAIL' : 'warn';
          console.log(`${mark}  ${r.name.padEnd(28)} ${r.detail}`);
        }
      }
      const failed = results.filter((r) => r.required && !r.ok);
      if (failed.length > 0) {
        if (!o.json) console.error(`\n${failed.length} required check(s) failed: ${failed.map((r) => r.name).join(', ')}`);
        process.exitCode = 1;
      }
    });
}
