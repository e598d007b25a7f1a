import crypto from 'node:crypto';
import { openBlobStore } from './blobs/open.ts';
import { openRedis } from './redis/connection.ts';
import type { Redis } from './redis/connection.ts';
import { RedisBroadcast } from './redis/broadcast.ts';
import type { EventBus } from './core/events/event-bus.ts';
import { InProcessEventBus, SharedEventBus } from './core/events/event-bus.ts';
import { PgBroadcast } from './db/pg-broadcast.ts';
import type { Engine } from './db/columns.ts';
import type { Config } from './config.ts';
import type { Clock } from './core/clock.ts';
import { systemClock } from './core/clock.ts';
import type { Services } from './core/services.ts';
import { buildServices } from './core/services.ts';
import { settingsRepo } from './core/settings.repo.ts';
import type { Db } from './db/database.ts';
import { openDatabase } from './db/database.ts';
import { usersRepo } from './core/identity/users.repo.ts';
import { migrateToLatest } from './db/migrate.ts';

export interface Runtime {
  services: Services;
  close(): Promise<void>;
}

/** The signing secret: from config, else one generated at first start and kept in the database, shared by every server. */
async function jwtSecret(db: Db, configured: string | null): Promise<string> {
  if (configured) return configured;
  return settingsRepo.sharedValue(db, 'jwt_secret', () => crypto.randomBytes(48).toString('base64url'));
}

/**
 * The live events' bus: across servers on PostgreSQL (Redis pub/sub when ASSAY_REDIS_URL is set,
 * else LISTEN/NOTIFY), this process's own on SQLite or when asked (the grading thread: the server's
 * main thread publishes what it relays).
 */
async function openEventBus(engine: Engine, config: Config, redis: Redis | null, acrossServers: boolean): Promise<EventBus> {
  if (engine !== 'postgres' || !acrossServers) return new InProcessEventBus();
  if (redis && config.redis) return new SharedEventBus(await RedisBroadcast.open(redis, config.redis));
  return new SharedEventBus(await PgBroadcast.open(config.databaseUrl, config.databaseSchema));
}

/**
 * Opens the database (migrating it), the blob store, the live events' bus and the services.
 * `eventsAcrossServers: false` keeps the live events in this process (default: shared on PostgreSQL).
 */
export async function openRuntime(config: Config, options: { clock?: Clock; migrate?: boolean; eventsAcrossServers?: boolean } = {}): Promise<Runtime> {
  const handle = await openDatabase({ url: config.databaseUrl, schema: config.databaseSchema });
  let bus: EventBus | null = null;
  try {
    if (options.migrate !== false) await migrateToLatest(handle.db, handle.engine, config.databaseSchema);
    const blobs = await openBlobStore(config);
    const redis = config.redis ? openRedis(config.redis) : null;
    bus = await openEventBus(handle.engine, config, redis, options.eventsAcrossServers ?? true);
    const services = buildServices({
      db: handle.db,
      engine: handle.engine,
      clock: options.clock ?? systemClock,
      config,
      blobs,
      redis,
      bus,
      jwtSecret: await jwtSecret(handle.db, config.jwtSecret),
    });
    return {
      services,
      async close() {
        await services.similarity.stop();
        await services.grading.close();
        await bus?.close?.();
        await handle.close();
        blobs.close?.();
        redis?.disconnect();
      },
    };
  } catch (err) {
    await bus?.close?.();
    await handle.close();
    throw err;
  }
}

/**
 * The first start creates the admin account. Its password comes from ASSAY_ADMIN_PASSWORD or is
 * generated and returned so the caller can print it once.
 */
export async function ensureAdmin(services: Services): Promise<{ username: string; generatedPassword: string | null } | null> {
  if (await usersRepo.anyWithClearance(services.db, 5)) return null;
  const { adminUsername, adminPassword } = services.config;
  const password = adminPassword ?? crypto.randomBytes(12).toString('base64url');
  const existing = await services.users.byUsername(adminUsername);
  if (existing) return null;
  await services.users.createTrusted({ username: adminUsername, password, clearance: 5, first_name: 'Admin' });
  return { username: adminUsername, generatedPassword: adminPassword ? null : password };
}
