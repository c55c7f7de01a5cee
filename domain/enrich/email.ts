// E-mail facts that need no network: syntax, domain, disposable provider, role mailbox.
import { disposableEmailBlocklistSet } from 'disposable-email-domains-js';
// The single-function module (see domain/adf/contact.ts): CommonJS typed as an ES module,
// so the callable sits on `.default` for TypeScript.
import isEmailModule from 'validator/lib/isEmail.js';
import { findTextProblem } from '../text/checks.js';

const isEmail = isEmailModule.default;

// The package's own isDisposableEmailDomain() rebuilds a ~9,000-entry Set on every call; build it
// once, on first use, so a worker that never enriches never pays for it.
let blocklist: Set<string> | null = null;

/**
 * True when the domain or any parent domain is listed: disposable providers hand out
 * sub-domains (`x.mailinator.com`), and the list names only the registrable domain.
 */
export function isDisposableDomain(domain: string): boolean {
  blocklist ??= disposableEmailBlocklistSet();
  const labels = domain.toLowerCase().replace(/\.$/, '').split('.');
  for (let i = 0; i < labels.length - 1; i++) {
    if (blocklist.has(labels.slice(i).join('.'))) return true;
  }
  return false;
}

// Local parts that name a function rather than a person. Kept here rather than taken from a
// package: the npm lists are small, rarely published, and this is the set that matters for
// dealer leads (a reply to sales@ lands in a shared queue; noreply@ never reaches anyone).
const ROLE_LOCAL_PARTS = new Set([
  'abuse',
  'accounts',
  'accounting',
  'admin',
  'administrator',
  'billing',
  'bounce',
  'bounces',
  'careers',
  'contact',
  'contactus',
  'customerservice',
  'dealer',
  'dealers',
  'do-not-reply',
  'donotreply',
  'enquiries',
  'enquiry',
  'feedback',
  'finance',
  'help',
  'helpdesk',
  'hello',
  'hostmaster',
  'hr',
  'info',
  'information',
  'inquiries',
  'inquiry',
  'internet',
  'internetsales',
  'jobs',
  'leads',
  'mail',
  'mailer-daemon',
  'marketing',
  'media',
  'news',
  'newsletter',
  'no-reply',
  'noc',
  'noreply',
  'office',
  'orders',
  'parts',
  'postmaster',
  'press',
  'privacy',
  'reception',
  'root',
  'sales',
  'security',
  'service',
  'spam',
  'support',
  'team',
  'test',
  'webmaster',
  'www',
]);

/** A role mailbox: `sales@`, `no-reply@`, also tagged (`info+leads@`) or numbered (`sales2@`). */
export function isRoleAddress(address: string): boolean {
  const at = address.lastIndexOf('@');
  if (at <= 0) return false;
  const local = address.slice(0, at).toLowerCase().split('+')[0] ?? '';
  // `sales2`, `sales.team`, `info_dept`: the role word with a number or a suffix after a dot/underscore.
  const forms = [local, local.replace(/\d+$/, ''), local.split(/[._]/)[0] ?? ''];
  return forms.some((form) => ROLE_LOCAL_PARTS.has(form));
}

const MAX_EMAIL = 254; // RFC 5321 path limit; longer text is not an address

export interface EmailSyntax {
  address: string;
  syntaxValid: boolean;
  domain: string | null;
}

/** Trimmed, lower-cased address; its domain (after the last `@`) even when the syntax is invalid. */
export function checkEmailSyntax(raw: string): EmailSyntax {
  const address = raw.trim().toLowerCase();
  const at = address.lastIndexOf('@');
  const domain = at >= 0 && at < address.length - 1 ? address.slice(at + 1) : null;
  // Text that is not valid Unicode (an unpaired surrogate, a NUL) is no address; validator's
  // isEmail would throw URIError on it (a 500 on a prospect list, found by the API fuzzer).
  const syntaxValid = address.length <= MAX_EMAIL && findTextProblem(address) === null && isEmail(address, { require_tld: true, allow_ip_domain: false });
  return { address, syntaxValid, domain };
}
