import { int, timeZone, type Env } from './read.ts';

/** The Autolab settings (environment variables documented in the README). */
export interface AutolabSettings {
  /** API requests per user and window (upstream: 10 per 30 s); 0: no limit. */
  readonly apiRequests: number;
  readonly apiWindowSeconds: number;
  /** `submit` requests per user and window (upstream: 4 per 60 s); 0: no limit. */
  readonly submitRequests: number;
  readonly submitWindowSeconds: number;
  /** IANA time zone date-times are rendered in (always with a numeric offset). */
  readonly timeZone: string;
}

export function readAutolabSettings(env: Env): AutolabSettings {
  return {
    apiRequests: int(env, 'ASSAY_AUTOLAB_API_REQUESTS', 10),
    apiWindowSeconds: int(env, 'ASSAY_AUTOLAB_API_WINDOW_SECONDS', 30, 1),
    submitRequests: int(env, 'ASSAY_AUTOLAB_SUBMIT_REQUESTS', 4),
    submitWindowSeconds: int(env, 'ASSAY_AUTOLAB_SUBMIT_WINDOW_SECONDS', 60, 1),
    timeZone: timeZone(env, 'ASSAY_AUTOLAB_TIME_ZONE', 'America/New_York'),
  };
}
