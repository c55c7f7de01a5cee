// Finds ADF documents in what arrived: raw XML as is, or an e-mail (body, HTML-wrapped body, or
// attachment in any transfer encoding — mailparser decodes base64 / quoted-printable for us).
import { simpleParser, type Attachment, type ParsedMail } from 'mailparser';

export interface Candidate {
  bytes: Buffer;
  where: string;
}
/** `mail` is the one parse of an e-mail: the classifier reuses it when the message is not a lead. */
export interface Extracted {
  isEmail: boolean;
  messageId: string | null;
  subject: string | null;
  candidates: Candidate[];
  mail: ParsedMail | null;
}

/** The options every reader of inbound mail shares: delivery-status parts kept whole for the bounce classifier. */
export const readMail = (raw: Buffer): Promise<ParsedMail> => simpleParser(raw, { keepDeliveryStatus: true, skipTextLinks: true });

const XML_TYPES = new Set(['application/xml', 'text/xml', 'application/x-adf+xml', 'application/adf+xml']);
const XML_NAME = /\.(xml|adf)$/i;

/** Raw XML starts with `<` after an optional BOM and whitespace; anything else is treated as mail. */
export function looksLikeXml(raw: Buffer): boolean {
  let i = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? 3 : 0;
  while (i < raw.length && (raw[i] === 0x20 || raw[i] === 0x0a || raw[i] === 0x0d || raw[i] === 0x09)) i++;
  return raw[i] === 0x3c;
}

/** The `<adf>...</adf>` span inside text that may carry other content around it. */
export function adfSpan(text: string): string | null {
  const start = text.search(/<\?xml|<\?adf|<adf[\s>]/i);
  const endTag = /<\/adf\s*>/gi;
  let last: RegExpExecArray | null = null;
  for (let m = endTag.exec(text); m !== null; m = endTag.exec(text)) last = m;
  if (start < 0 || last === null || last.index < start) return null;
  return text.slice(start, last.index + last[0].length);
}

const decodeEntities = (s: string) =>
  s
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#39;|&apos;/gi, "'")
    .replace(/&nbsp;/gi, ' ')
    .replace(/&amp;/gi, '&');

const isXmlAttachment = (a: Attachment) => XML_TYPES.has(String(a.contentType ?? '').toLowerCase()) || XML_NAME.test(a.filename ?? '');

/** The ADF candidates in an already parsed e-mail (attachments, then the text or HTML body). */
export function candidatesFromMail(mail: ParsedMail): Candidate[] {
  const candidates: Candidate[] = [];
  for (const a of mail.attachments) {
    if (isXmlAttachment(a)) candidates.push({ bytes: a.content, where: `attachment ${a.filename ?? a.contentType}` });
  }
  const text = typeof mail.text === 'string' ? adfSpan(mail.text) : null;
  if (text !== null) candidates.push({ bytes: Buffer.from(text, 'utf8'), where: 'text body' });
  if (text === null && typeof mail.html === 'string') {
    // HTML bodies carry the XML either escaped (&lt;adf&gt;, shown as text) or raw inside <pre>.
    const html = adfSpan(mail.html) ?? adfSpan(decodeEntities(mail.html.replace(/<br\s*\/?>/gi, '\n').replace(/<\/?(?!\?|adf|\/adf)[a-z][^>]*>/gi, '')));
    if (html !== null) candidates.push({ bytes: Buffer.from(html.includes('&lt;') ? decodeEntities(html) : html, 'utf8'), where: 'html body' });
  }
  return candidates;
}

export async function extractAdf(raw: Buffer): Promise<Extracted> {
  if (looksLikeXml(raw)) return { isEmail: false, messageId: null, subject: null, candidates: [{ bytes: raw, where: 'document' }], mail: null };
  const mail = await readMail(raw);
  return { isEmail: true, messageId: mail.messageId ?? null, subject: mail.subject ?? null, candidates: candidatesFromMail(mail), mail };
}
