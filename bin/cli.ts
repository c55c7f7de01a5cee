// The `leadflow` command line. Each command lives in its own module under commands/.
import fs from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/index.js';
import { registerAdf } from './commands/adf.js';
import { registerApi } from './commands/api.js';
import { registerOutbox } from './commands/outbox.js';
import { registerMail } from './commands/mail.js';
import { registerSalespeople } from './commands/salespeople.js';
import { registerInboxes } from './commands/inboxes.js';
import { registerSuppressions } from './commands/suppressions.js';
import { registerControl } from './commands/control.js';
import { registerStats } from './commands/stats.js';
import { registerApiKey } from './commands/apikey.js';
import { registerIngest } from './commands/ingest.js';
import { registerQuarantine } from './commands/quarantine.js';
import { registerDoctor } from './commands/doctor.js';
import { registerHistories } from './commands/histories.js';
import { registerLeads } from './commands/leads.js';
import { registerMigrate } from './commands/migrate.js';
import { registerProspects } from './commands/prospects.js';
import { registerCampaign } from './commands/campaign.js';
import { registerUp } from './commands/up.js';
import { registerWorker } from './commands/worker.js';
import { registerBackup } from './commands/backup.js';

// A .env in the working directory configures local runs; variables already set win over it.
if (fs.existsSync('.env')) process.loadEnvFile('.env');

const program = new Command('leadflow')
  .description('Every sales lead from arrival to a salesperson, as one durable Temporal workflow.')
  .showHelpAfterError()
  .exitOverride();

for (const register of [
  registerUp,
  registerMigrate,
  registerWorker,
  registerApi,
  registerDoctor,
  registerLeads,
  registerHistories,
  registerIngest,
  registerQuarantine,
  registerOutbox,
  registerApiKey,
  registerAdf,
  registerMail,
  registerSalespeople,
  registerInboxes,
  registerSuppressions,
  registerControl,
  registerStats,
  registerProspects,
  registerCampaign,
  registerBackup,
]) {
  register(program);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  if (err instanceof ConfigError) {
    console.error(`leadflow: configuration error: ${err.message}`);
    process.exit(78); // EX_CONFIG
  }
  console.error(`leadflow: ${(err as Error).message}`);
  process.exit(1);
}
