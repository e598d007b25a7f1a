import type { Env } from './read.ts';
import { int } from './read.ts';

/** A fixed-window request limit per client address. */
export interface WindowLimit {
  readonly max: number;
  readonly windowSeconds: number;
}

/** The OAuth2 server's settings (environment variables documented in the README). */
export interface OAuthSettings {
  /** Access-token lifetime (Doorkeeper's default: 2 hours). */
  readonly accessTokenSeconds: number;
  /** Refresh-token lifetime; 0: until used or revoked (upstream's behaviour). */
  readonly refreshTokenSeconds: number;
  /** Authorization-code lifetime (Doorkeeper's default: 10 minutes). */
  readonly codeSeconds: number;
  /** How long a device-flow request waits for the user. */
  readonly deviceCodeSeconds: number;
  /** Browser sign-in for the consent and activation pages. */
  readonly sessionSeconds: number;
  readonly deviceInitLimit: WindowLimit;
  readonly deviceAuthorizeLimit: WindowLimit;
}

export function readOAuthSettings(env: Env): OAuthSettings {
  return {
    accessTokenSeconds: int(env, 'ASSAY_OAUTH_ACCESS_TOKEN_SECONDS', 7200, 1),
    refreshTokenSeconds: int(env, 'ASSAY_OAUTH_REFRESH_TOKEN_SECONDS', 0),
    codeSeconds: int(env, 'ASSAY_OAUTH_CODE_SECONDS', 600, 1),
    deviceCodeSeconds: int(env, 'ASSAY_OAUTH_DEVICE_CODE_SECONDS', 600, 1),
    sessionSeconds: int(env, 'ASSAY_OAUTH_SESSION_SECONDS', 8 * 3600, 60),
    deviceInitLimit: {
      max: int(env, 'ASSAY_OAUTH_DEVICE_INIT_MAX', 5, 1),
      windowSeconds: int(env, 'ASSAY_OAUTH_DEVICE_INIT_WINDOW_SECONDS', 60, 1),
    },
    deviceAuthorizeLimit: {
      max: int(env, 'ASSAY_OAUTH_DEVICE_AUTHORIZE_MAX', 1, 1),
      windowSeconds: int(env, 'ASSAY_OAUTH_DEVICE_AUTHORIZE_WINDOW_SECONDS', 5, 1),
    },
  };
}
