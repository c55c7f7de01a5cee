// `leadflow mail classify FILE.eml|-`: what the mailbox watcher would make of a message, as one
// JSON document (exit 0), or one stderr line and exit 2 when the input is not a readable e-mail.
import type { Command } from 'commander';
import { oneLine, readInput } from '../lib/read-input.js';

/** Inbound mail bigger than this is refused (the common provider limit is 25-50 MB). */
const MAX_MAIL_BYTES = 50 * 1024 * 1024;

export function registerMail(program: Command): void {
  const mail = program.command('mail').description('inbound e-mail: replies, bounces, complaints, auto-replies, ADF leads');
  mail
    .command('classify')
    .description('classify one RFC 5322 message and print it as JSON (exit 2 on unreadable input)')
    .argument('<file>', 'path of the .eml file, or - for stdin')
    .action(async (file: string) => {
      const label = file === '-' ? 'stdin' : oneLine(file);
      const fail = (why: string) => {
        console.error(`leadflow mail classify: ${label}: ${oneLine(why)}`);
        process.exitCode = 2;
      };
      let raw: Buffer;
      try {
        raw = await readInput(file, MAX_MAIL_BYTES + 1);
      } catch (err) {
        return fail(`cannot read: ${(err as Error).message}`);
      }
      if (raw.length > MAX_MAIL_BYTES) return fail(`larger than ${MAX_MAIL_BYTES} bytes`);
      const { classifyMail, UnreadableMailError } = await import('../../domain/mail/classify/index.js');
      try {
        const { from: _from, subject: _subject, messageId: _id, recipients: _to, kind, ...rest } = await classifyMail(raw);
        process.stdout.write(`${JSON.stringify({ kind, ...rest, intent: rest.intent ?? null }, null, 2)}\n`);
      } catch (err) {
        if (err instanceof UnreadableMailError) return fail(err.message);
        throw err;
      }
    });
}
