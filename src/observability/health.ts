import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ping } from '../db/database.ts';
import type { Services } from '../core/services.ts';

/** Where bubblewrap is, or null when the machine has none (grading then waits, never runs unsandboxed). */
export function findBwrap(): string | null {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const candidate = path.join(dir, 'bwrap');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      /* keep looking */
    }
  }
  return null;
}

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
    const [database, blobs] = await Promise.all([check(() => ping(services.db)), check(() => services.blobs.check())]);
    const bwrap = findBwrap();
    const body = {
      status: database.ok && blobs.ok ? 'ok' : 'error',
      database: { ...database, engine: services.engine },
      blobs,
      sandbox: bwrap
        ? { ok: true, bwrap }
        : { ok: false, error: 'bubblewrap (bwrap) is not installed: grading jobs wait until it is' },
    };
    reply.code(body.status === 'ok' ? 200 : 503);
    return body;
  });
}
