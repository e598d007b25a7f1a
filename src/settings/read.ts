import { isKnownZone } from '../core/zoned-time.ts';

/** Small readers shared by every part of the config: environment values, checked as they are read. */
export class ConfigError extends Error {}

export type Env = Record<string, string | undefined>;

export function int(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min) throw new ConfigError(`${name} must be at least ${min}`);
  return value;
}

export function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

/** An IANA time zone (`UTC` when unset), refused at start when this runtime does not know it. */
export function timeZone(env: Env, name: string, example: string): string {
  const zone = env[name]?.trim() || 'UTC';
  if (!isKnownZone(zone)) throw new ConfigError(`${name} must be an IANA time zone such as ${example}, got "${zone}"`);
  return zone;
}
