// `leadflow quarantine list|show|retry`: what could not become a lead, and its replay.
import type { Command } from 'commander';

export function registerQuarantine(program: Command): void {
  const cmd = program.command('quarantine').description('inputs that could not become leads');
  cmd
    .command('list')
    .option('--status <status>', 'open or resolved', 'open')
    .option('--limit <n>', 'how many', '50')
    .action(async (o: { status: string; limit: string }) => {
      const [{ listQuarantined }, { withDb }] = await Promise.all([import('../../db/index.js'), import('../lib/clients.js')]);
      const items = await withDb('quarantine', (db) => listQuarantined(db, { status: o.status, limit: Number(o.limit), offset: 0 }));
      for (const i of items) console.log(`${i.id}  ${i.created_at.toISOString()}  ${i.source}:${i.source_ref ?? '-'}  ${i.error_code ?? ''}  ${i.reason}`);
      if (items.length === 0) console.error(`no ${o.status} items`);
    });
  cmd
    .command('show <id>')
    .description('metadata, and the original bytes with --raw')
    .option('--raw', 'write the original bytes to stdout')
    .action(async (id: string, o: { raw?: boolean }) => {
      const [{ getQuarantined }, { withDb }] = await Promise.all([import('../../db/index.js'), import('../lib/clients.js')]);
      const item = await withDb('quarantine', (db) => getQuarantined(db, id));
      if (item === undefined) throw new Error(`no quarantined item ${id}`);
      if (o.raw) return void process.stdout.write(item.raw);
      const { raw, ...meta } = item;
      console.log(JSON.stringify({ ...meta, size: raw.length }, null, 2));
    });
  cmd
    .command('retry <id>')
    .description('re-run an item through ingest (after a fix); exit 1 if it still fails')
    .action(async (id: string) => {
      const [{ retryQuarantined }, { withIngest }] = await Promise.all([import('../../intake/retry.js'), import('../lib/clients.js')]);
      const result = await withIngest('quarantine', ({ ingest, db }) => retryQuarantined(ingest, db, id));
      console.log(JSON.stringify(result, null, 2));
      if (result.status !== 'accepted') process.exitCode = 1;
    });
}
