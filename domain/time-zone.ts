// A recipient's time zone as people write it (`america/chicago`, `US/Central`) to the one spelling
// the sending windows and the operator see. Intl is the judge, so a zone is valid here exactly when
// the workers' windows can use it.

/** The canonical IANA name of `zone` (trimmed, any case), or null when it is not a zone this runtime knows. */
export function canonicalTimeZone(zone: unknown): string | null {
  if (typeof zone !== 'string') return null;
  const text = zone.trim();
  if (text === '' || text.length > 64) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: text }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** Whether `zone` is, exactly as written, an IANA time zone this runtime knows (the test the inbox windows use). */
export const isTimeZone = (zone: unknown): zone is string => typeof zone === 'string' && zone === zone.trim() && canonicalTimeZone(zone) !== null;
