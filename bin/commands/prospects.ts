// `leadflow prospects check FILE|- [--mapping FILE.json] [--region US] [--encoding auto]`: what the
// import API (POST /campaigns/:id/prospects) would make of a prospect list, offline: no server,
// database or configuration. stdout holds exactly one JSON document; exit 0 whenever the list was
// read (bad rows are data, not failure), exit 2 with one stderr line when it is not a prospect list.
import fs from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { oneLine } from '../lib/read-input.js';

interface CheckOptions {
  mapping?: string;
  region: string;
  encoding: 'auto' | 'utf-8' | 'windows-1252';
}

const errnoMessage = (err: unknown): string | null =>
  err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' ? `cannot read: ${err.message}` : null;

async function readMapping(file: string): Promise<Record<string, string | null>> {
  const doc: unknown = JSON.parse(await fs.readFile(file, 'utf8'));
  // Targets and column names are checked against the header by checkProspects itself.
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not a JSON object of column → target');
  return doc as Record<string, string | null>;
}

export function registerProspects(program: Command): void {
  const prospects = program.command('prospects').description('prospect lists for campaigns (CSV or JSON)');
  prospects
    .command('check')
    .description('check a prospect list as the import API would and print {rows, valid, invalid} as JSON (exit 2 when unreadable)')
    .argument('<file>', 'the CSV or JSON list (JSON when it starts with [ or {), or - for stdin')
    .option('--mapping <file>', 'JSON object: header column → email|phone|firstName|lastName|company|fields.<name>|null')
    .option('--region <code>', 'ISO 3166 region that national phone numbers are read in', 'US')
    .addOption(new Option('--encoding <encoding>', 'the list’s character encoding').choices(['auto', 'utf-8', 'windows-1252']).default('auto'))
    .action(async (file: string, opts: CheckOptions) => {
      const label = file === '-' ? 'stdin' : oneLine(file);
      const fail = (why: string) => {
        // Exit 2 by hand: bin/cli.ts maps thrown errors to 1, which means "the tool broke".
        console.error(`leadflow prospects check: ${label}: ${oneLine(why)}`);
        process.exitCode = 2;
      };
      let mapping: Record<string, string | null> | undefined;
      if (opts.mapping !== undefined) {
        try {
          mapping = await readMapping(opts.mapping);
        } catch (err) {
          return fail(`--mapping ${opts.mapping}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      // Loaded on use, like every command's own code: `leadflow --help` must not pay for the parsers.
      const { checkProspects, ProspectListError } = await import('../../domain/prospects/index.js');
      let handle: fs.FileHandle | null = null;
      try {
        handle = file === '-' ? null : await fs.open(file, 'r');
        const input = handle === null ? (process.stdin as AsyncIterable<Uint8Array>) : handle.createReadStream({ autoClose: false });
        const result = await checkProspects(input, { mapping, region: opts.region, encoding: opts.encoding });
        process.stdout.write(`${JSON.stringify({ rows: result.rows, valid: result.valid.length, invalid: result.invalid })}\n`);
      } catch (err) {
        if (err instanceof ProspectListError) return fail(err.message);
        const unreadable = errnoMessage(err);
        if (unreadable === null) throw err;
        return fail(unreadable);
      } finally {
        await handle?.close();
      }
    });
}
