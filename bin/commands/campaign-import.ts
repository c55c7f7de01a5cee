// `leadflow campaign import ID FILE`: streams a prospect list to POST /campaigns/:id/prospects, so
// the CLI gets exactly the API's checks, per-row report and idempotency (same key or same bytes →
// the same import). Exit 0 when the import was stored or answered again — invalid rows are data,
// listed by row, field and reason — and 1 on an HTTP problem, printed with its field errors.
import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { ImportReport } from '../../api/campaigns/import.js';

interface ImportFlags {
  mapping?: string;
  region?: string;
  dryRun?: boolean;
  idempotencyKey?: string;
  encoding?: 'utf-8' | 'windows-1252';
  json?: boolean;
}

/** The request's query: the mapping file is sent inline (the API reads `?mapping=<json>`). */
function queryOf(o: ImportFlags): string {
  const q = new URLSearchParams();
  if (o.mapping !== undefined) {
    let doc: unknown;
    try {
      doc = JSON.parse(fs.readFileSync(o.mapping, 'utf8'));
    } catch (err) {
      throw new Error(`--mapping ${o.mapping}: ${(err as Error).message}`);
    }
    q.set('mapping', JSON.stringify(doc));
  }
  if (o.region !== undefined) q.set('region', o.region);
  if (o.dryRun) q.set('dryRun', 'true');
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

/** JSON by extension, CSV otherwise; a charset only when asked, so the server can detect it. */
function contentType(file: string, encoding: ImportFlags['encoding']): string {
  const type = path.extname(file).toLowerCase() === '.json' ? 'application/json' : 'text/csv';
  return encoding === undefined ? type : `${type}; charset=${encoding}`;
}

export function reportText(r: ImportReport): string {
  const what = r.dryRun ? 'dry run (nothing stored)' : r.created ? `import ${r.importId}` : `import ${r.importId} (already imported: the earlier report)`;
  const lines = [`${what}: ${r.accepted}/${r.rows} rows accepted, ${r.invalid.length} invalid`];
  if (r.invalid.length > 0) {
    const width = Math.max(3, ...r.invalid.map((p) => String(p.row).length));
    const fieldWidth = Math.max(5, ...r.invalid.map((p) => p.field.length));
    lines.push(`${'row'.padStart(width)}  ${'field'.padEnd(fieldWidth)}  reason`);
    for (const p of r.invalid) lines.push(`${String(p.row).padStart(width)}  ${p.field.padEnd(fieldWidth)}  ${p.reason}`);
  }
  return lines.join('\n');
}

export function importCommand(group: Command): void {
  group
    .command('import <id> <file>')
    .description('stream a CSV or JSON prospect list to the campaign and print the report (exit 0 when stored, even with invalid rows)')
    .option('--mapping <file>', 'JSON object: header column → email|phone|firstName|lastName|company|fields.<name>|null')
    .option('--region <code>', 'ISO 3166 region that national phone numbers are read in (the server default: US)')
    .option('--dry-run', 'check and report only; nothing is stored')
    .option('--idempotency-key <key>', 'a retry with the same key answers the same import')
    .addOption(new Option('--encoding <encoding>', 'the file’s character encoding (default: the server detects it)').choices(['utf-8', 'windows-1252']))
    .option('--json', 'print the report as JSON (the shape of the API answer)')
    .action(async (id: string, file: string, o: ImportFlags) => {
      const query = queryOf(o);
      const size = fs.statSync(file).size; // also fails early, naming the file, when it is missing
      const [{ apiTarget, apiRequest }, { SingleBar, Presets }] = await Promise.all([import('../lib/api-client.js'), import('cli-progress')]);
      const target = await apiTarget();
      // Bytes sent, on stderr and only to a terminal: a pipe or log file gets the report alone.
      const bar = process.stderr.isTTY
        ? new SingleBar({ stream: process.stderr, format: ' {bar} {percentage}% | {value}/{total} bytes sent', clearOnComplete: true }, Presets.shades_classic)
        : null;
      bar?.start(size, 0);
      let answer: { body: unknown };
      try {
        answer = await apiRequest(target, 'POST', `/campaigns/${encodeURIComponent(id)}/prospects${query}`, {
          stream: fs.createReadStream(file),
          headers: {
            'content-type': contentType(file, o.encoding),
            'content-length': String(size),
            ...(o.idempotencyKey !== undefined && { 'idempotency-key': o.idempotencyKey }),
          },
          onSent: (bytes) => bar?.update(bytes),
        });
      } finally {
        bar?.stop();
      }
      const report = answer.body as ImportReport;
      console.log(o.json ? JSON.stringify(report, null, 2) : reportText(report));
    });
}
