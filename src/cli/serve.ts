import { buildApp } from '../app.ts';
import type { Config } from '../config.ts';
import { ensureAdmin, openRuntime } from '../runtime.ts';

/** `assay serve`: migrate, make sure an admin exists, listen, and shut down cleanly on a signal. */
export async function serve(config: Config): Promise<void> {
  const runtime = await openRuntime(config);
  const admin = await ensureAdmin(runtime.services);
  if (admin?.generatedPassword) {
    process.stdout.write(
      `\n  Created the admin account "${admin.username}".\n  Its password (shown only this once): ${admin.generatedPassword}\n\n`,
    );
  }
  const app = await buildApp(runtime.services);
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await app.close();
    await runtime.close();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  await app.listen({ port: config.port, host: config.host });
}
