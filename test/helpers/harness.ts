import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Config } from '../../src/config.ts';
import type { Clock } from '../../src/core/clock.ts';
import type { Services } from '../../src/core/services.ts';
import { dropPostgresSchema } from '../../src/db/database.ts';
import { openRuntime } from '../../src/runtime.ts';

/** The engine under test: PostgreSQL when DATABASE_URL says so, SQLite otherwise. */
export const engineUnderTest = (process.env.DATABASE_URL ?? '').startsWith('postgres') ? 'postgres' : 'sqlite';

export interface TestServer {
  app: FastifyInstance;
  services: Services;
  config: Config;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * A real server on a real database: a fresh SQLite file, or a fresh PostgreSQL schema, and a
 * fresh blob directory. Nothing is shared between test files.
 */
export async function startTestServer(options: { clock?: Clock; env?: Record<string, string>; webDir?: string } = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-test-'));
  const pgUrl = engineUnderTest === 'postgres' ? process.env.DATABASE_URL! : null;
  const schema = pgUrl ? `t_${crypto.randomBytes(6).toString('hex')}` : 'public';
  const config = loadConfig({
    ASSAY_DATA_DIR: dataDir,
    ASSAY_ARGON2_MEMORY_KIB: '1024',
    ASSAY_LOG_LEVEL: 'silent',
    ...(pgUrl ? { DATABASE_URL: pgUrl, DATABASE_SCHEMA: schema } : {}),
    ...options.env,
  });
  const runtime = await openRuntime(config, { clock: options.clock });
  // ASSAY_TEST_LOG=1 shows server errors while debugging a test.
  const app = await buildApp(runtime.services, { logger: process.env.ASSAY_TEST_LOG ? { level: 'error' } : false, ...(options.webDir ? { webDir: options.webDir } : {}) });
  await app.ready();
  return {
    app,
    services: runtime.services,
    config,
    dataDir,
    async close() {
      await app.close();
      await runtime.close();
      if (pgUrl) await dropPostgresSchema(pgUrl, schema);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
