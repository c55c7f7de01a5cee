// An inbox's secrets as one sealed blob, bound to the inbox's id (a blob copied onto another
// inbox's row does not open). Null when the inbox has no inline secret (env names or none).
import type { SecretBox } from '../crypto/secret-box.js';
import type { InboxSecrets } from './connection.js';

const aad = (inboxId: string) => `inbox:${inboxId}`;

export function sealInboxSecrets(box: SecretBox, inboxId: string, secrets: InboxSecrets): string | null {
  return Object.keys(secrets).length === 0 ? null : box.seal(JSON.stringify(secrets), aad(inboxId));
}

export function openInboxSecrets(box: SecretBox, inboxId: string, sealed: string | null): InboxSecrets {
  return sealed === null ? {} : (JSON.parse(box.open(sealed, aad(inboxId))) as InboxSecrets);
}
