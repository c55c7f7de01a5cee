// The enrichment of one lead: what we could learn about its e-mail, phone and vehicles before
// scoring it. Plain JSON (no Date, Map or class instances) because it crosses the Temporal payload
// converter into the lead workflow and is stored on the lead row as it is.

export interface EnrichVehicleInput {
  vin: string | null;
  year: number | null;
}

export interface EnrichInput {
  email: string | null;
  phone: string | null;
  /** ISO 3166-1 alpha-2 region for numbers written without a country code; defaults to US. */
  region?: string;
  vehicles: EnrichVehicleInput[];
}

/**
 * found: at least one usable MX record. none: the domain does not exist, has no MX records, or
 * publishes a "null MX" (RFC 7505) saying it takes no mail. error: the lookup itself failed
 * (timeout, SERVFAIL, ...), which says nothing about the address. skipped: syntax was invalid.
 */
export type MxStatus = 'found' | 'none' | 'error' | 'skipped';

export type VerifierStatus = 'deliverable' | 'undeliverable' | 'risky' | 'unknown';

export interface VerifierResult {
  status: VerifierStatus;
  /** The verifier's own status text, or why we have none (`http 500`, `timeout`, ...). */
  raw?: string;
}

export interface EmailEnrichment {
  /** Trimmed and lower-cased. */
  address: string;
  syntaxValid: boolean;
  /** The part after the last `@`, or null when there is none. */
  domain: string | null;
  mx: MxStatus;
  /** The domain (or a parent of it) is on the disposable-address blocklist. */
  disposable: boolean;
  /** A mailbox for a function (info@, sales@, noreply@, ...), not a person. */
  role: boolean;
  /** null when no verifier is configured or the address was not worth asking about. */
  verifier: VerifierResult | null;
}

/** libphonenumber-js number types, lower-cased; `unknown` when it cannot tell. */
export type PhoneType =
  | 'mobile'
  | 'fixed_line'
  | 'fixed_line_or_mobile'
  | 'voip'
  | 'toll_free'
  | 'premium_rate'
  | 'shared_cost'
  | 'personal_number'
  | 'pager'
  | 'uan'
  | 'voicemail'
  | 'unknown';

export interface PhoneEnrichment {
  /** As received. */
  raw: string;
  /** E.164, or null when the text does not parse as a phone number at all. */
  e164: string | null;
  valid: boolean;
  type: PhoneType;
  /** ISO 3166-1 alpha-2 country of the number, when known. */
  country: string | null;
}

export interface VehicleEnrichment {
  /** Upper-cased, spaces and dashes removed; null when none was given. */
  vin: string | null;
  /** ISO 3779 check digit (North American rule); null when no VIN was given. */
  vinValid: boolean | null;
  /** Model year decoded from VIN position 10, resolved against the given year; null if undecodable. */
  modelYearFromVin: number | null;
  /** The given year lies in 1981..currentYear+2 (17-character VINs began with model year 1981). */
  yearSane: boolean | null;
  /** The given year equals the VIN's model year; null when either is missing. */
  yearMatchesVin: boolean | null;
}

export interface Enrichment {
  email: EmailEnrichment | null;
  phone: PhoneEnrichment | null;
  vehicles: VehicleEnrichment[];
}
