// A registry inbox's IMAP server and login for the mailbox watcher, read from the inbox's row
// with its secrets opened (or from the environment variables it names) at each activity run: a
// changed password applies at the watcher's next run, and no secret ever travels in workflow input.
import type { Kysely } from 'kysely';
import { getInbox, type Database } from '../../db/index.js';
import type { SecretBox } from '../../domain/crypto/secret-box.js';
import { resolveConnection } from '../../domain/inboxes/connection.js';
import { openInboxSecrets } from '../../domain/inboxes/sealed.js';
import type { WatchOptions } from './imap-watch.js';

export function inboxImapResolver(deps: { db: Kysely<Database>; box: SecretBox; env?: Readonly<Record<string, string | undefined>> }) {
  return async (inboxId: string): Promise<WatchOptions['imap']> => {
    const row = await getInbox(deps.db, inboxId);
    if (row === undefined) throw new Error(`no inbox ${inboxId} in the registry`);
    const { imap } = resolveConnection(row.settings, openInboxSecrets(deps.box, row.id, row.secrets_enc), deps.env ?? process.env);
    if (imap === undefined) throw new Error(`inbox ${inboxId} has no IMAP settings`);
    return { host: imap.host, port: imap.port, secure: imap.secure, ...(imap.user !== undefined && { user: imap.user, password: imap.password ?? '' }) };
  };
}
