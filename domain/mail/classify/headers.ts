// Header helpers shared by the classifiers: message-id lists and headers found inside returned
// message parts (text/rfc822-headers, message/rfc822), where mailparser does not look.

const ID = /<[^<>\s]+>/g;

/** Every `<id>` in a header value (References holds many; In-Reply-To usually one). */
export function messageIds(value: unknown): string[] {
  const text = Array.isArray(value) ? value.join(' ') : typeof value === 'string' ? value : '';
  return text.match(ID) ?? [];
}

/** Unfolds RFC 5322 header lines so a folded value reads as one line. */
function unfold(headers: string): string {
  return headers.replace(/\r?\n[ \t]+/g, ' ');
}

/** A header's value inside a block of raw header (or whole message) text. */
export function headerIn(text: string, name: string): string | null {
  const head = unfold(text.split(/\r?\n\r?\n/)[0] ?? '');
  const m = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head);
  return m?.[1]?.trim() ?? null;
}

/** The Message-ID of a returned original message (its headers as text). */
export function returnedMessageId(text: string): string | null {
  return messageIds(headerIn(text, 'Message-ID') ?? '')[0] ?? null;
}
