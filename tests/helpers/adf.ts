// Builds ADF documents and lead e-mails for tests, each with its own prospect id by default.
import MailComposer from 'nodemailer/lib/mail-composer';
import { uniqueName } from './temporal.js';

export interface AdfOptions {
  id?: string;
  source?: string;
  status?: 'new' | 'resend';
  first?: string;
  last?: string;
  email?: string | null;
  phone?: string | null;
  comments?: string;
}

export function adfXml(o: AdfOptions = {}): string {
  const id = o.id ?? uniqueName('p');
  const email = o.email === undefined ? `${id}@example.com` : o.email;
  return `<?xml version="1.0" encoding="UTF-8"?>
<?adf version="1.0"?>
<adf>
  <prospect status="${o.status ?? 'new'}">
    <id sequence="1" source="${o.source ?? 'TestFeed'}">${id}</id>
    <requestdate>2026-03-14T14:42:17-05:00</requestdate>
    <vehicle interest="buy" status="new"><year>2025</year><make>Subaru</make><model>Outback</model><price type="asking">$38,990.00</price></vehicle>
    <customer>
      <contact>
        <name part="first">${o.first ?? 'Test'}</name><name part="last">${o.last ?? 'Buyer'}</name>
        ${email === null ? '' : `<email>${email}</email>`}
        ${o.phone === null ? '' : `<phone type="voice">${o.phone ?? '(555) 555-0142'}</phone>`}
      </contact>
      <comments>${o.comments ?? 'Is it still available?'}</comments>
    </customer>
    <vendor><vendorname>Test Motors</vendorname></vendor>
    <provider><name>TestFeed</name></provider>
  </prospect>
</adf>
`;
}

/** A lead e-mail as dealers receive them: a short text body and the ADF as an XML attachment. */
export async function adfEmail(
  xml: string,
  o: { messageId?: string; attach?: boolean; transferEncoding?: 'base64' | 'quoted-printable' | '7bit' } = {},
): Promise<Buffer> {
  const mail = new MailComposer({
    from: 'leads@feed.example.com',
    to: 'sales@dealer.example.com',
    subject: 'New internet lead',
    messageId: o.messageId ?? `<${uniqueName('m')}@feed.example.com>`,
    text: o.attach === false ? xml : 'A new lead is attached.',
    ...(o.attach === false
      ? {}
      : { attachments: [{ filename: 'lead.xml', content: xml, contentType: 'application/xml', contentTransferEncoding: o.transferEncoding ?? 'base64' }] }),
  });
  return mail.compile().build();
}
