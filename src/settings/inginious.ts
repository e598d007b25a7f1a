import type { Env } from './read.ts';

/** The Inginious settings (environment variables documented in the README). */
export interface InginiousSettings {
  /** Placeholder until the area defines its settings. */
  readonly enabled: boolean;
}

export function readInginiousSettings(_env: Env): InginiousSettings {
  return { enabled: true };
}
