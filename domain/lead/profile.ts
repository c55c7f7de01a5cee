// What the workflow reads out of a lead's payload: vehicles, comments, timeframe and request date,
// whether the lead came as ADF (`payload.adf`) or through the API (`payload.vehicle(s)`,
// `payload.comments`, ...). Pure and defensive: a payload is caller data, so every field is
// checked for its type and anything unexpected reads as absent instead of throwing.
import type { EnrichInput } from '../enrich/types.js';
import type { Enrichment } from '../enrich/types.js';
import type { ScoringInput } from './scoring-types.js';
import type { LeadContact, LeadCore } from './types.js';

export interface ProfileVehicle {
  year: number | null;
  make: string | null;
  model: string | null;
  vin: string | null;
  interest: string | null;
  price: number | null;
}

export interface LeadProfile {
  vehicles: ProfileVehicle[];
  comments: string | null;
  requestDate: string | null;
  timeframe: { description: string | null; earliestDate: string | null; latestDate: string | null } | null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

function vehicle(v: Obj): ProfileVehicle {
  return { year: num(v.year), make: text(v.make), model: text(v.model), vin: text(v.vin), interest: text(v.interest), price: num(v.price) };
}

function timeframe(v: unknown): LeadProfile['timeframe'] {
  if (typeof v === 'string') return { description: text(v), earliestDate: null, latestDate: null };
  if (!isObj(v)) return null;
  return { description: text(v.description), earliestDate: text(v.earliestDate), latestDate: text(v.latestDate) };
}

export function leadProfile(input: LeadCore): LeadProfile {
  const p = input.payload;
  const adf = isObj(p.adf) ? p.adf : null;
  if (adf !== null) {
    const customer = isObj(adf.customer) ? adf.customer : {};
    return {
      vehicles: Array.isArray(adf.vehicles) ? adf.vehicles.filter(isObj).map(vehicle) : [],
      comments: text(customer.comments),
      requestDate: text(adf.requestDate),
      timeframe: timeframe(customer.timeframe),
    };
  }
  const list = Array.isArray(p.vehicles) ? p.vehicles : isObj(p.vehicle) ? [p.vehicle] : [];
  return {
    vehicles: list.filter(isObj).map(vehicle),
    comments: text(p.comments),
    requestDate: text(p.requestDate),
    timeframe: timeframe(p.timeframe),
  };
}

export function enrichInput(contact: LeadContact, profile: LeadProfile): EnrichInput {
  return { email: contact.email, phone: contact.phone, vehicles: profile.vehicles.map((v) => ({ vin: v.vin, year: v.year })) };
}

export function scoringInput(input: LeadCore, contact: LeadContact, profile: LeadProfile, enrichment: Enrichment): ScoringInput {
  const adf = isObj(input.payload.adf) ? input.payload.adf : null;
  const customer = adf !== null && isObj(adf.customer) ? adf.customer : null;
  return {
    source: input.source,
    requestDate: profile.requestDate,
    customer: {
      firstName: contact.firstName,
      lastName: contact.lastName,
      fullName: customer !== null ? text(customer.fullName) : null,
      emails: contact.email !== null ? [contact.email] : [],
      phones: contact.phone !== null ? [{ raw: contact.phone, e164: enrichment.phone?.e164 ?? null }] : [],
      timeframe: profile.timeframe,
      comments: profile.comments,
    },
    vehicles: profile.vehicles.map((v) => ({ interest: v.interest, price: v.price })),
    enrichment,
  };
}

/**
 * The channel a message can reach: e-mail when the address is well-formed, its domain takes mail
 * and it is not a throwaway; else SMS to a valid number; else none (a person must fix the data).
 * An MX lookup that merely failed (`error`) does not disqualify an address.
 */
export function reachableChannel(enrichment: Enrichment, preferred?: 'email' | 'sms'): 'email' | 'sms' | null {
  const e = enrichment.email;
  const emailOk = e !== null && e.syntaxValid && e.mx !== 'none' && !e.disposable && e.verifier?.status !== 'undeliverable';
  const smsOk = enrichment.phone !== null && enrichment.phone.valid && enrichment.phone.e164 !== null;
  if (preferred === 'sms' && smsOk) return 'sms';
  if (preferred === 'email' && emailOk) return 'email';
  if (emailOk) return 'email';
  return smsOk ? 'sms' : null;
}
