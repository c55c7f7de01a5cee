// Numbers as feeds write them: "$52,340.00", "118,400 mi", "USD 19999", "52.340,00".
// Anything that is not clearly one non-negative amount becomes null rather than a guess.

// The first run of digits and separators, e.g. "52,340.00" out of "$52,340.00 OBO".
const NUMBER_TOKEN = /\d(?:[\d.,]*\d)?/;

function fromToken(token: string): number | null {
  const lastDot = token.lastIndexOf('.');
  const lastComma = token.lastIndexOf(',');
  let plain: string;
  if (lastDot !== -1 && lastComma !== -1) {
    // Both present: whichever comes last is the decimal mark (US "1,234.50", EU "1.234,50").
    const decimal = lastDot > lastComma ? '.' : ',';
    const thousands = decimal === '.' ? ',' : '.';
    const [whole = '', fraction = ''] = token.split(decimal);
    if (token.split(decimal).length !== 2 || fraction.includes(thousands)) return null;
    plain = `${whole.split(thousands).join('')}.${fraction}`;
  } else if (lastComma !== -1 || lastDot !== -1) {
    const mark = lastComma !== -1 ? ',' : '.';
    const parts = token.split(mark);
    // "118,400" / "1.234.567" group thousands; a single mark with 1-2 digits after is decimal.
    if (parts.length > 2 || (parts.length === 2 && parts[1]?.length === 3 && mark === ',')) {
      if (!/^\d{1,3}$/.test(parts[0] ?? '') || parts.slice(1).some((p) => p.length !== 3)) return null;
      plain = parts.join('');
    } else {
      plain = parts.join('.');
    }
  } else {
    plain = token;
  }
  const value = Number(plain);
  return Number.isFinite(value) && value <= Number.MAX_SAFE_INTEGER ? value : null;
}

/** A price or odometer reading; negative, ambiguous or absurd values are null. */
export function parseAmount(raw: string): number | null {
  const match = NUMBER_TOKEN.exec(raw);
  if (!match) return null;
  // A minus sign right before the number: a delta or a typo, never a price or mileage.
  if (raw[match.index - 1] === '-') return null;
  return fromToken(match[0]);
}

/** A model year: four digits, from the first automobile on. */
export function parseYear(raw: string): number | null {
  const text = raw.trim();
  if (!/^\d{4}$/.test(text)) return null;
  const year = Number(text);
  return year >= 1886 ? year : null;
}

/** A non-negative integer such as an id's sequence attribute. */
export function parseInteger(raw: string | null): number | null {
  if (raw === null || !/^\s*\d{1,15}\s*$/.test(raw)) return null;
  return Number(raw.trim());
}
