import path from 'node:path';
import { compact } from './core/compact.ts';
import { bool, ConfigError, int, type Env } from './settings/read.ts';
import { readOAuthSettings, type OAuthSettings } from './settings/oauth.ts';
import { readAutolabSettings, type AutolabSettings } from './settings/autolab.ts';
import { readInginiousSettings, type InginiousSettings } from './settings/inginious.ts';
import { readDevilrySettings, type DevilrySettings } from './settings/devilry.ts';
import { readSignInSettings } from './settings/sign-in.ts';
import type { SignInLimitSettings } from './core/identity/sign-in-limits.ts';
import { readUnzipSettings, type UnzipSettings } from './settings/unzip.ts';
import { readS3BlobSettings } from './settings/blobs.ts';
import { readRedisSettings, type RedisSettings } from './settings/redis.ts';
import type { S3BlobSettings } from './blobs/s3.ts';

/** Every setting of the server, read once from the environment (and CLI flags), validated at start. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** `sqlite:<file>` or `postgres://…`. */
  databaseUrl: string;
  /** PostgreSQL schema to use (created when missing); ignored for SQLite. */
  databaseSchema: string;
  blobDir: string;
  /** Blobs in an S3-compatible bucket (`ASSAY_BLOB_URL=s3://…`) instead of `blobDir`. */
  blobS3: S3BlobSettings | null;
  adminUsername: string;
  adminPassword: string | null;
  jwtSecret: string | null;
  accessTokenSeconds: number;
  refreshTokenSeconds: number;
  maxUploadBytes: number;
  maxBodyBytes: number;
  /** Limits on unpacking an uploaded zip (a Hive `Submission`). */
  unzip: UnzipSettings;
  publicUrl: string | null;
  trustProxy: boolean;
  logLevel: string;
  argon2MemoryKiB: number;
  /** Where grading jobs are delivered from: the lease table (`embedded`) or pg-boss on PostgreSQL (`pgboss`). */
  queueMode: 'embedded' | 'pgboss';
  /** Grading workers inside the server process (0: none, grading is left to `assay worker` processes). */
  gradingWorkers: number;
  /** How long a worker's claim on a job lasts without a heartbeat. */
  jobLeaseSeconds: number;
  /** Runs of a job that may fail (or lose their worker) before the job ends `failed`. */
  jobMaxAttempts: number;
  /** How often a job waiting for the sandbox to become available is tried again. */
  jobRecheckSeconds: number;
  /** Wall-time limit of a job that names none; pg-boss redelivers a job whose worker is silent past it. */
  jobWallSeconds: number;
  /** ngshare dialect: its route prefix (also mounted at `/services/ngshare/`); starts and ends with `/`. */
  ngsharePrefix: string;
  /**
   * How ngshare callers are authenticated: Assay tokens and JWTs, a JupyterHub `/user` lookup,
   * or (development only, like upstream's vngshare) whoever the `user` argument names.
   */
  ngshareAuth: 'assay' | 'hub' | 'dev';
  /** JupyterHub's API base (`http://hub:8081/hub/api`), for `ngshareAuth: 'hub'`. */
  jupyterhubApiUrl: string | null;
  /** Usernames that are ngshare admins besides Assay admins. */
  ngshareAdmins: string[];
  /** Largest ngshare request body; larger ones get 413 `Request too large`. */
  ngshareMaxBodyBytes: number;
  /** ngshare's debug-mode 403 messages (`Permission denied (not admin)`, …). */
  ngshareDebugMessages: boolean;
  /** The secret staff hand to would-be checkers for Hive's `management/register`; null: registration is off. */
  registrationSecret: string | null;
  /** Registration attempts per client address and minute. */
  registrationRatePerMinute: number;
  /** Failed sign-in attempts allowed per account and per client address in a window. */
  signIn: SignInLimitSettings;
  /** Redis shared by every server for rate limits and sign-in limits (`ASSAY_REDIS_URL`); null: counted per process. */
  redis: RedisSettings | null;
  /** An iCalendar file or http(s) URL the server imports timetable events from; null: no periodic import. */
  scheduleIcalUrl: string | null;
  /** Minutes between two imports of `scheduleIcalUrl`. */
  scheduleRefreshMinutes: number;
  /** Seconds between two passes of the lesson scheduler (lessons are applied when their events start). */
  scheduleTickSeconds: number;
  /** OAuth2 server (Autolab's clients): token lifetimes, device flow. */
  oauth: OAuthSettings;
  /** Autolab dialect (`/api/v1/`). */
  autolab: AutolabSettings;
  /** INGInious dialect (`/api/v0/`). */
  inginious: InginiousSettings;
  /** Devilry dialect (simplified REST). */
  devilry: DevilrySettings;
}

export { ConfigError };

const NGSHARE_PREFIX = /^\/([A-Za-z0-9._~-]+\/)*$/;

function ngshareSettings(env: Env): Pick<Config, 'ngsharePrefix' | 'ngshareAuth' | 'jupyterhubApiUrl' | 'ngshareAdmins' | 'ngshareMaxBodyBytes' | 'ngshareDebugMessages'> {
  const prefix = env.ASSAY_NGSHARE_PREFIX?.trim() || '/api/';
  if (!NGSHARE_PREFIX.test(prefix)) throw new ConfigError(`ASSAY_NGSHARE_PREFIX must start and end with "/" (letters, digits, . _ ~ - between), got "${prefix}"`);
  const auth = env.ASSAY_NGSHARE_AUTH?.trim() || 'assay';
  if (auth !== 'assay' && auth !== 'hub' && auth !== 'dev') throw new ConfigError(`ASSAY_NGSHARE_AUTH must be assay, hub or dev, got "${auth}"`);
  // A JupyterHub service gets JUPYTERHUB_API_URL from the hub itself.
  const hub = (env.ASSAY_JUPYTERHUB_API_URL?.trim() || env.JUPYTERHUB_API_URL?.trim() || '').replace(/\/+$/, '') || null;
  if (hub !== null && !/^https?:\/\//.test(hub)) throw new ConfigError(`ASSAY_JUPYTERHUB_API_URL must be an http(s) URL, got "${hub}"`);
  if (auth === 'hub' && hub === null) throw new ConfigError('ASSAY_NGSHARE_AUTH=hub needs ASSAY_JUPYTERHUB_API_URL');
  return {
    ngsharePrefix: prefix,
    ngshareAuth: auth,
    jupyterhubApiUrl: hub,
    ngshareAdmins: (env.ASSAY_NGSHARE_ADMINS ?? '').split(',').map((name) => name.trim()).filter((name) => name !== ''),
    ngshareMaxBodyBytes: int(env, 'ASSAY_NGSHARE_MAX_BODY_BYTES', 512 * 1024 * 1024, 1024),
    ngshareDebugMessages: bool(env, 'ASSAY_NGSHARE_DEBUG_MESSAGES', false),
  };
}

/** pino's levels. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function logLevel(env: Env): string {
  const level = env.ASSAY_LOG_LEVEL?.trim() || 'info';
  if (!LOG_LEVELS.includes(level)) throw new ConfigError(`ASSAY_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  return level;
}

/** The server's own http(s) address as clients reach it, without a trailing slash. */
function publicUrl(env: Env): string | null {
  const raw = env.ASSAY_PUBLIC_URL?.trim().replace(/\/+$/, '') || null;
  if (raw === null) return null;
  const url = URL.canParse(raw) ? new URL(raw) : null;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new ConfigError(`ASSAY_PUBLIC_URL must be an http(s) URL such as https://assay.example.org, got "${env.ASSAY_PUBLIC_URL}"`);
  }
  return raw;
}

export function loadConfig(env: Env = process.env, flags: Partial<Config> = {}): Config {
  const dataDir = path.resolve(flags.dataDir ?? env.ASSAY_DATA_DIR ?? './data');
  const databaseUrl = flags.databaseUrl ?? env.DATABASE_URL ?? `sqlite:${path.join(dataDir, 'assay.db')}`;
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with sqlite: or postgres://');
  }
  const schema = flags.databaseSchema ?? env.DATABASE_SCHEMA ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new ConfigError('DATABASE_SCHEMA must be a lower-case SQL identifier');
  const queueMode = env.ASSAY_QUEUE?.trim() || 'embedded';
  if (queueMode !== 'embedded' && queueMode !== 'pgboss') throw new ConfigError(`ASSAY_QUEUE must be embedded or pgboss, got "${queueMode}"`);
  if (queueMode === 'pgboss' && databaseUrl.startsWith('sqlite:')) throw new ConfigError('ASSAY_QUEUE=pgboss needs DATABASE_URL=postgres://…');
  if (queueMode === 'pgboss' && schema.length > 56) throw new ConfigError('DATABASE_SCHEMA must be at most 56 characters with ASSAY_QUEUE=pgboss');
  const config: Config = {
    port: flags.port ?? int(env, 'PORT', 8080),
    host: flags.host ?? env.HOST ?? '0.0.0.0',
    dataDir,
    databaseUrl,
    databaseSchema: schema,
    blobDir: path.resolve(env.ASSAY_BLOB_DIR ?? path.join(dataDir, 'blobs')),
    blobS3: readS3BlobSettings(env),
    adminUsername: env.ASSAY_ADMIN_USERNAME || 'admin',
    adminPassword: env.ASSAY_ADMIN_PASSWORD || null,
    jwtSecret: env.ASSAY_JWT_SECRET || null,
    accessTokenSeconds: int(env, 'ASSAY_ACCESS_TOKEN_SECONDS', 300, 1),
    refreshTokenSeconds: int(env, 'ASSAY_REFRESH_TOKEN_SECONDS', 86400, 1),
    maxUploadBytes: int(env, 'ASSAY_MAX_UPLOAD_BYTES', 100 * 1024 * 1024, 1),
    maxBodyBytes: int(env, 'ASSAY_MAX_BODY_BYTES', 10 * 1024 * 1024, 1024),
    unzip: readUnzipSettings(env),
    publicUrl: publicUrl(env),
    trustProxy: bool(env, 'ASSAY_TRUST_PROXY', false),
    logLevel: logLevel(env),
    argon2MemoryKiB: int(env, 'ASSAY_ARGON2_MEMORY_KIB', 19456, 1024),
    queueMode,
    gradingWorkers: int(env, 'ASSAY_WORKERS', 2),
    jobLeaseSeconds: int(env, 'ASSAY_JOB_LEASE_SECONDS', 30, 1),
    jobMaxAttempts: int(env, 'ASSAY_JOB_MAX_ATTEMPTS', 3, 1),
    jobRecheckSeconds: int(env, 'ASSAY_JOB_RECHECK_SECONDS', 30, 1),
    jobWallSeconds: int(env, 'ASSAY_JOB_WALL_SECONDS', 600, 1),
    ...ngshareSettings(env),
    registrationSecret: env.ASSAY_REGISTRATION_SECRET || null,
    registrationRatePerMinute: int(env, 'ASSAY_REGISTRATION_RATE_PER_MINUTE', 10, 1),
    signIn: readSignInSettings(env),
    redis: readRedisSettings(env),
    scheduleIcalUrl: env.ASSAY_SCHEDULE_ICAL_URL?.trim() || null,
    scheduleRefreshMinutes: int(env, 'ASSAY_SCHEDULE_REFRESH_MINUTES', 60, 1),
    scheduleTickSeconds: int(env, 'ASSAY_SCHEDULE_TICK_SECONDS', 30, 1),
    oauth: readOAuthSettings(env),
    autolab: readAutolabSettings(env),
    inginious: readInginiousSettings(env),
    devilry: readDevilrySettings(env),
    ...compact(flags),
  };
  return config;
}
