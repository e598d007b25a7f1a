import type { HiveRouter } from '../hive/router.ts';

/** OAuth2 client registration and device-code approval (`/api/assay/v1/oauth/…`). */
export function oauthRoutes(_router: HiveRouter): void {}
