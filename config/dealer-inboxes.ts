// DEALER_INBOXES: the inboxes a dealer's inbound ADF leads are answered from, e.g.
// `honda-north=hn-sales,hn-service; toyota-east=te-sales`. Campaigns name their inboxes in their
// spec; a dealer's leads arrive by e-mail or POST with nothing to name them, so the set is
// configured per dealer. Parsed with the rest of the config: a malformed entry stops the process
// at start naming the variable and the entry, rather than sending a dealer's leads from the wrong
// identity. Whether each inbox is in the registry is checked at start too (intake/dealer-inboxes.ts).
import { ConfigError, str, type Env } from './env-parse.js';

/** Dealer key → inbox ids, in the order given. */
export type DealerInboxes = Readonly<Record<string, readonly string[]>>;

/** A dealer as intake/to-lead.ts slugs it (the ADF vendor name, or the lead's source). */
const DEALER = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** domain/inboxes/types.ts INBOX_ID, restated: config/ imports nothing else of ours. */
const INBOX_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** temporal/lead-validation.ts MAX_INBOXES: a lead rotates over at most this many. */
const MAX_INBOXES = 50;

export function dealerInboxesConfig(env: Env): DealerInboxes {
  const raw = str(env, 'DEALER_INBOXES');
  const out = new Map<string, string[]>();
  if (raw === undefined) return {};
  for (const entry of raw.split(';').map((e) => e.trim())) {
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    if (eq < 0) throw new ConfigError(`DEALER_INBOXES: "${entry}" must be dealer=inbox[,inbox...] (dealers separated by ;)`);
    const dealer = entry.slice(0, eq).trim();
    if (!DEALER.test(dealer))
      throw new ConfigError(`DEALER_INBOXES: dealer "${dealer}" must be written as its slug (lower case a-z, 0-9, . _ -), e.g. "Honda North" as honda-north`);
    if (out.has(dealer)) throw new ConfigError(`DEALER_INBOXES: dealer ${dealer} is listed twice`);
    const inboxes = [
      ...new Set(
        entry
          .slice(eq + 1)
          .split(',')
          .map((i) => i.trim())
          .filter((i) => i !== ''),
      ),
    ];
    if (inboxes.length === 0 || inboxes.length > MAX_INBOXES) throw new ConfigError(`DEALER_INBOXES: dealer ${dealer} must name 1 to ${MAX_INBOXES} inbox ids`);
    const bad = inboxes.find((i) => !INBOX_ID.test(i));
    if (bad !== undefined) throw new ConfigError(`DEALER_INBOXES: "${bad}" (dealer ${dealer}) is not an inbox id (lower case a-z, 0-9 and -)`);
    out.set(dealer, inboxes);
  }
  return Object.fromEntries(out);
}
