import type { HiveRouter } from '../hive/router.ts';

/** Per-student extensions of an exercise's end date (Autolab's late policy) (`/api/assay/v1/…`). */
export function extensionRoutes(_router: HiveRouter): void {}
