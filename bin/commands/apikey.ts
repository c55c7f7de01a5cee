// `leadflow apikey create|list|revoke`: API keys are shown once, stored hashed.
import type { Command } from 'commander';
import type { ApiScope } from '../../db/index.js';

// For the help text without importing the database layer (kysely) to print it. The type below
// fails to compile when db/'s API_SCOPES gains a scope this list lacks; the action checks the real list.
const HELP_SCOPES = ['read', 'write', 'admin'] as const satisfies readonly ApiScope[];
const _everyScopeListed: Exclude<ApiScope, (typeof HELP_SCOPES)[number]> extends never ? true : never = true;

export function registerApiKey(program: Command): void {
  const cmd = program.command('apikey').description('create, list and revoke API keys');
  cmd
    .command('create')
    .description('create a key and print it once')
    .requiredOption('--name <name>', 'who or what uses the key')
    .option('--scopes <scopes>', `comma-separated: ${HELP_SCOPES.join(', ')}`, 'read')
    .action(async (o: { name: string; scopes: string }) => {
      const [{ API_SCOPES, createApiKey }, { withDb }] = await Promise.all([import('../../db/index.js'), import('../lib/clients.js')]);
      const scopes = o.scopes
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
      if (bad.length > 0 || scopes.length === 0) throw new Error(`--scopes must list ${API_SCOPES.join(', ')}; got "${o.scopes}"`);
      const { id, key } = await withDb('apikey', (db) => createApiKey(db, o.name, scopes as ApiScope[]));
      console.log(JSON.stringify({ id, name: o.name, scopes, key }, null, 2));
      console.error('Store the key now: it is not shown again.');
    });
  cmd
    .command('list')
    .description('list keys (never their secrets)')
    .action(async () => {
      const [{ listApiKeys }, { withDb }] = await Promise.all([import('../../db/index.js'), import('../lib/clients.js')]);
      console.log(JSON.stringify(await withDb('apikey', listApiKeys), null, 2));
    });
  cmd
    .command('revoke <id>')
    .description('revoke a key at once')
    .action(async (id: string) => {
      const [{ revokeApiKey }, { withDb }] = await Promise.all([import('../../db/index.js'), import('../lib/clients.js')]);
      if (!(await withDb('apikey', (db) => revokeApiKey(db, id)))) throw new Error(`no active key ${id}`);
      console.log(`revoked ${id}`);
    });
}
