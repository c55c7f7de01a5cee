// VIN checks (ISO 3779 / 49 CFR 565). The check digit at position 9 is mandatory for vehicles
// sold in North America only; European and Asian-market VINs often carry a plain character there,
// so `vinValid: false` on such a VIN means "fails the North American check", not "fake".
import type { VehicleEnrichment } from './types.js';

// 49 CFR 565.15 transliteration: letters map to 1-9 in runs; I, O and Q are never used in a VIN
// (they read as 1 and 0), so their absence from this table makes such VINs invalid.
const TRANSLITERATION: Readonly<Record<string, number>> = {
  A: 1,
  B: 2,
  C: 3,
  D: 4,
  E: 5,
  F: 6,
  G: 7,
  H: 8,
  J: 1,
  K: 2,
  L: 3,
  M: 4,
  N: 5,
  P: 7,
  R: 9,
  S: 2,
  T: 3,
  U: 4,
  V: 5,
  W: 6,
  X: 7,
  Y: 8,
  Z: 9,
};
// Position weights; position 9 (the check digit itself) weighs 0.
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2] as const;

// Position-10 year codes: A=1980 ... Y=2000, then 1=2001 ... 9=2009, repeating every 30 years.
// U, Z and 0 are excluded from this position (as are I, O, Q everywhere).
const YEAR_CODES = 'ABCDEFGHJKLMNPRSTVWXY123456789';
const FIRST_CYCLE = 1980;
const CYCLE = 30;

/** Upper-cased with the separators people type removed; null for empty input. */
export function normalizeVin(raw: string | null): string | null {
  if (raw === null) return null;
  const vin = raw.replace(/[\s-]/g, '').toUpperCase();
  return vin === '' ? null : vin;
}

function charValue(ch: string): number | null {
  if (ch >= '0' && ch <= '9') return ch.charCodeAt(0) - 48;
  return TRANSLITERATION[ch] ?? null;
}

/** The check digit the other 16 characters call for ('0'-'9' or 'X'), or null if a character is illegal. */
export function expectedCheckDigit(vin: string): string | null {
  if (vin.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = charValue(vin[i] ?? '');
    if (value === null) return null;
    sum += value * (WEIGHTS[i] ?? 0);
  }
  const rest = sum % 11;
  return rest === 10 ? 'X' : String(rest);
}

/** True when `vin` is 17 legal characters and position 9 matches the computed check digit. */
export function isValidVin(vin: string): boolean {
  const expected = expectedCheckDigit(vin);
  return expected !== null && vin[8] === expected;
}

/** Every model year position 10 can stand for, from 1980 up to `maxYear`, ascending. */
export function modelYearCandidates(vin: string, maxYear: number): number[] {
  const index = YEAR_CODES.indexOf(vin[9] ?? '');
  if (vin.length !== 17 || index < 0) return [];
  const years: number[] = [];
  for (let year = FIRST_CYCLE + index; year <= maxYear; year += CYCLE) years.push(year);
  return years;
}

/**
 * One model year out of the 30-year cycle. With a stated year: the candidate closest to it (equal
 * when the two agree). Without one, for a VIN that passes the North American check digit, the
 * 49 CFR 565.15 rule for light vehicles: a letter at position 7 marks model years 2010-2039, a
 * digit 1980-2009. Otherwise the latest candidate, the likelier one for a lead's vehicle.
 */
export function decodeModelYear(vin: string, givenYear: number | null, maxYear: number): number | null {
  const candidates = modelYearCandidates(vin, maxYear);
  if (candidates.length === 0) return null;
  if (givenYear !== null) {
    return candidates.reduce((best, y) => (Math.abs(y - givenYear) < Math.abs(best - givenYear) ? y : best));
  }
  const p7 = vin[6] ?? '';
  if (isValidVin(vin)) {
    const letter = /[A-Z]/.test(p7);
    const fitting = candidates.filter((y) => (letter ? y >= 2010 && y < 2040 : y < 2010));
    if (fitting.length > 0) return fitting[fitting.length - 1] ?? null;
  }
  return candidates[candidates.length - 1] ?? null;
}

/** 17-character VINs (and so model-year codes) start with model year 1981. */
export const FIRST_VIN_YEAR = 1981;

/** Model years run up to two ahead of the calendar: next year's models go on sale early. */
export function isSaneYear(year: number, currentYear: number): boolean {
  return Number.isInteger(year) && year >= FIRST_VIN_YEAR && year <= currentYear + 2;
}

export function enrichVehicle(vehicle: { vin: string | null; year: number | null }, currentYear: number): VehicleEnrichment {
  const vin = normalizeVin(vehicle.vin);
  const maxYear = currentYear + 2;
  const modelYearFromVin = vin === null ? null : decodeModelYear(vin, vehicle.year, maxYear);
  return {
    vin,
    vinValid: vin === null ? null : isValidVin(vin),
    modelYearFromVin,
    yearSane: vehicle.year === null ? null : isSaneYear(vehicle.year, currentYear),
    yearMatchesVin: vehicle.year === null || modelYearFromVin === null ? null : vehicle.year === modelYearFromVin,
  };
}
