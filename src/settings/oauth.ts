import type { Env } from './read.ts';

/** The OAuth settings (environment variables documented in the README). */
export interface OAuthSettings {
  /** Placeholder until the area defines its settings. */
  readonly enabled: boolean;
}

export function readOAuthSettings(_env: Env): OAuthSettings {
  return { enabled: true };
}
