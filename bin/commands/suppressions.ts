// `leadflow suppressions list|add|remove`: the addresses no lead or campaign may message. Adding
// and releasing are audited like the API's writes (who: the operating-system user), and a
// release keeps its reason; a released address gets mail again from the next send on.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Command } from 'commander';

const load = () => Promise.all([import('../../db/index.js'), import('../lib/clients.js')]);
const EMAIL = /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const operator = () => `cli:${os.userInfo().username}`;

export function registerSuppressions(program: Command): void {
  const cmd = program.command('suppressions').description('addresses that must never be messaged (bounces, complaints, unsubscribes, by hand)');
  cmd
    .command('list')
    .option('--address <address>', 'only this address')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'print JSON')
    .action(async (o: { address?: string; limit: string; json?: boolean }) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new Error('--limit must be a whole number from 1 to 500');
      const [{ listSuppressions }, { withDb }] = await load();
      const rows = await withDb('suppressions', (db) => listSuppressions(db, { limit, offset: 0, address: o.address }));
      if (o.json) return void console.log(JSON.stringify(rows, null, 2));
      for (const r of rows) console.log(`${r.id}  ${r.created_at.toISOString()}  ${r.channel.padEnd(5)} ${r.address}  ${r.reason}`);
      if (rows.length === 0) console.error('no suppressed addresses');
    });

  cmd
    .command('add <address>')
    .requiredOption('--reason <text>', 'why (kept with the entry)')
    .action(async (address: string, o: { reason: string }) => {
      const channel = E164.test(address) ? 'sms' : EMAIL.test(address) ? 'email' : null;
      if (channel === null) throw new Error(`${address} is neither an e-mail address nor an E.164 phone number (+15551234567)`);
      const [{ addManualSuppression, recordAudit }, { withDb }] = await load();
      const { row, inserted } = await withDb('suppressions', async (db) => {
        const added = await addManualSuppression(db, { address, channel, reason: `manual: ${o.reason}` });
        await recordAudit(db, { ...audit('add', added.row.id, true), detail: { reason: o.reason, created: added.inserted } });
        return added;
      });
      console.log(inserted ? `suppressed ${row.address} (${row.id})` : `${row.address} was already suppressed (${row.reason})`);
    });

  cmd
    .command('remove <id-or-address>')
    .description('release an address: future sends to it go out again')
    .requiredOption('--reason <text>', 'why it may be messaged again (kept with the release)')
    .action(async (target: string, o: { reason: string }) => {
      const [{ findSuppression, getSuppression, releaseSuppression, recordAudit }, { withDb }] = await load();
      const released = await withDb('suppressions', async (db) => {
        const row = UUID.test(target) ? await getSuppression(db, target) : await findSuppression(db, target);
        if (row === undefined) throw new Error(`no suppression ${target}`);
        const done = await releaseSuppression(db, row.id, { reason: o.reason, by: operator() });
        await recordAudit(db, { ...audit('remove', row.id, done !== undefined), detail: { reason: o.reason } });
        return done;
      });
      if (released === undefined) throw new Error(`no suppression ${target}`);
      console.log(`released ${released.address} (suppressed for ${released.suppressed_reason} since ${released.suppressed_at.toISOString()})`);
    });
}

/** The audit row of a CLI write: the route names the command, the key the operating-system user. */
function audit(action: 'add' | 'remove', target: string, ok: boolean) {
  return {
    apiKeyId: null,
    apiKeyName: operator(),
    method: 'CLI',
    route: `leadflow suppressions ${action}`,
    target,
    status: ok ? 200 : 404,
    requestId: `cli-${randomUUID()}`,
  };
}
