import type { SignInLimitSettings } from '../core/identity/sign-in-limits.ts';
import type { Env } from './read.ts';
import { int } from './read.ts';

/** Limits on failed sign-in attempts (environment variables documented in the README). */
export function readSignInSettings(env: Env): SignInLimitSettings {
  return {
    accountFailures: int(env, 'ASSAY_SIGNIN_ACCOUNT_FAILURES', 10),
    addressFailures: int(env, 'ASSAY_SIGNIN_ADDRESS_FAILURES', 50),
    windowSeconds: int(env, 'ASSAY_SIGNIN_WINDOW_SECONDS', 900, 1),
  };
}
