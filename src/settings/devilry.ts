import type { Env } from './read.ts';

/** The Devilry settings (environment variables documented in the README). */
export interface DevilrySettings {
  /** Placeholder until the area defines its settings. */
  readonly enabled: boolean;
}

export function readDevilrySettings(_env: Env): DevilrySettings {
  return { enabled: true };
}
