// `leadflow backup FILE` and `leadflow restore FILE [--verify-only] [--force]` (docs/backup.md).
// Output names tables and counts only: the dump itself holds sealed credentials and key hashes,
// and nothing of it, nor the database URL's password, is ever printed.
import path from 'node:path';
import type { Command } from 'commander';
import type { Manifest } from '../../db/backup/index.js';

function summary(m: Manifest): string {
  const rows = (t: string) => m.tables[t] ?? 0;
  return [
    `kind ${m.kind}, taken ${m.createdAt} by ${m.tool}`,
    `schema ${m.migrations.at(-1) ?? '(none)'} (${m.migrations.length} migrations)`,
    `rows: ${rows('leads')} leads, ${rows('outbox')} outbox, ${rows('suppressions')} suppressions, ${rows('api_keys')} API keys; ${Object.keys(m.tables).length} tables`,
  ].join('\n');
}

export function registerBackup(program: Command): void {
  program
    .command('backup <file>')
    .description('back up the application database into FILE (pg_dump for PostgreSQL, the PGlite dump for the embedded one)')
    .action(async (file: string) => {
      const [{ backup }, { setup }] = await Promise.all([import('../../db/backup/index.js'), import('../lib/runtime.js')]);
      const { config } = setup('backup');
      const manifest = await backup({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }, path.resolve(file));
      console.log(`wrote ${file} (${manifest.payload.bytes} bytes)\n${summary(manifest)}`);
    });
  program
    .command('restore <file>')
    .description('restore FILE into the application database (refuses a non-empty one without --force)')
    .option('--verify-only', 'check FILE (manifest, checksum, schema, archive) without restoring it')
    .option('--force', 'replace whatever the database holds (drops and recreates it)')
    .action(async (file: string, o: { verifyOnly?: boolean; force?: boolean }) => {
      const [{ restoreBackup, verifyBackup }, { setup }] = await Promise.all([import('../../db/backup/index.js'), import('../lib/runtime.js')]);
      const target = path.resolve(file);
      if (o.verifyOnly) {
        const { manifest, checks } = await verifyBackup(target);
        console.log(`${file} is a good backup\n${summary(manifest)}\nchecked: ${checks.join('; ')}`);
        return;
      }
      const { config } = setup('restore');
      const { manifest } = await restoreBackup({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }, target, { force: o.force === true });
      console.log(`restored ${file}\n${summary(manifest)}\nevery table's row count matches the backup`);
    });
}
