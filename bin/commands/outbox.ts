// `leadflow outbox [--lead id] [--show key]`: what the leads sent (or tried to). With no provider
// credentials this is the local outbox: the messages themselves, readable in a terminal.
import type { Command } from 'commander';

export function registerOutbox(program: Command): void {
  program
    .command('outbox')
    .description('messages the leads sent, newest first (the local outbox without provider credentials)')
    .option('--lead <leadId>', 'only this lead')
    .option('--limit <n>', 'how many', '20')
    .option('--show <key>', 'print one message in full, by idempotency key')
    .option('--json', 'print JSON')
    .action(async (o: { lead?: string; limit: string; show?: string; json?: boolean }) => {
      const [{ getOutbox, listOutbox }, { withDb }] = await Promise.all([import('../../db/index.js'), import('../lib/clients.js')]);
      if (o.show !== undefined) {
        const key = o.show;
        const row = await withDb('outbox', (db) => getOutbox(db, key));
        if (row === undefined) throw new Error(`no outbox message ${key}`);
        if (o.json) return void console.log(JSON.stringify(row, null, 2));
        console.log(
          `To: ${row.recipient}\nChannel: ${row.channel} via ${row.provider} (${row.status})\n${row.subject !== null ? `Subject: ${row.subject}\n` : ''}\n${row.body}`,
        );
        return;
      }
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new Error('--limit must be a whole number from 1 to 500');
      const rows = await withDb('outbox', (db) => listOutbox(db, { ...(o.lead !== undefined && { leadId: o.lead }), limit, offset: 0 }));
      if (o.json) return void console.log(JSON.stringify(rows, null, 2));
      for (const r of rows) {
        console.log(
          `${r.created_at.toISOString()}  ${r.status.padEnd(9)} ${r.channel.padEnd(5)} ${r.provider.padEnd(8)} ${r.recipient}  ${r.subject ?? r.body.slice(0, 60).replace(/\s+/g, ' ')}  [${r.idempotency_key}]`,
        );
      }
      if (rows.length === 0) console.error('the outbox is empty');
    });
}
