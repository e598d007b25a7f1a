import type { Env } from './read.ts';

/** The Autolab settings (environment variables documented in the README). */
export interface AutolabSettings {
  /** Placeholder until the area defines its settings. */
  readonly enabled: boolean;
}

export function readAutolabSettings(_env: Env): AutolabSettings {
  return { enabled: true };
}
