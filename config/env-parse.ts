// Small typed readers for environment variables. Every failure names the variable, so a
// misconfigured deployment fails at start with a message an operator can act on.

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export type Env = Readonly<Record<string, string | undefined>>;

function raw(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

export function str(env: Env, name: string, fallback: string): string;
export function str(env: Env, name: string): string | undefined;
export function str(env: Env, name: string, fallback?: string): string | undefined {
  return raw(env, name) ?? fallback;
}

export function int(env: Env, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = raw(env, name);
  if (v === undefined) return fallback;
  if (!/^-?\d+$/.test(v)) throw new ConfigError(`${name} must be a whole number, got "${v}"`);
  const n = Number(v);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

export function bool(env: Env, name: string, fallback: boolean): boolean {
  const v = raw(env, name)?.toLowerCase();
  if (v === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`${name} must be true or false, got "${v}"`);
}

export function url(env: Env, name: string): string | undefined {
  const v = raw(env, name);
  if (v === undefined) return undefined;
  try {
    return new URL(v).toString();
  } catch {
    throw new ConfigError(`${name} must be an absolute URL, got "${v}"`);
  }
}

export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const v = raw(env, name);
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${v}"`);
  return v as T;
}

/** host:port, as Temporal and most servers take it. */
export function hostPort(env: Env, name: string, fallback: string): string {
  const v = raw(env, name) ?? fallback;
  if (!/^[^\s:]+:\d{1,5}$/.test(v) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(v)) {
    throw new ConfigError(`${name} must look like host:port, got "${v}"`);
  }
  return v;
}

/** Variables that must come together (a username without its password is a mistake, not a default). */
export function requireTogether(env: Env, names: string[]): void {
  const set = names.filter((n) => raw(env, n) !== undefined);
  if (set.length > 0 && set.length < names.length) {
    const missing = names.filter((n) => !set.includes(n));
    throw new ConfigError(`${missing.join(', ')} must be set when ${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} set`);
  }
}
