import type { FastifyInstance } from 'fastify';
import { ping } from '../db/database.ts';
import { sandboxStatus } from '../grading/sandbox/index.ts';
import type { Services } from '../core/services.ts';

async function check(fn: () => Promise<void>): Promise<{ ok: boolean; error?: string }> {
  try {
    await fn();
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

export function registerHealth(app: FastifyInstance, services: Services): void {
  app.get('/healthz', { schema: { hide: true } as never }, async (_request, reply) => {
    const [database, blobs, sandbox] = await Promise.all([
      check(() => ping(services.db)),
      check(() => services.blobs.check()),
      sandboxStatus(),
    ]);
    const depth = database.ok ? await services.grading.depth().catch(() => null) : null;
    const ok = database.ok && blobs.ok;
    const body = {
      // ngshare's health check (`GET /healthz` → `{"success": true}`) shares this path.
      success: ok,
      status: ok ? 'ok' : 'error',
      database: { ...database, engine: services.engine },
      blobs,
      // The server runs without a sandbox; grading jobs then wait (status `waiting`) until there is one.
      sandbox: sandbox.available
        ? { ok: true, bwrap: sandbox.bwrap, cgroup_driver: sandbox.cgroupDriver, separation: sandbox.separation }
        : { ok: false, error: `${sandbox.reason ?? 'bubblewrap (bwrap) is not usable'}: grading jobs wait until it is` },
      grading: { queue: services.grading.mode, jobs: depth },
    };
    reply.code(body.status === 'ok' ? 200 : 503);
    return body;
  });
}
