import crypto from 'node:crypto';
import type { Config } from '../config.ts';
import type { ClearanceLevel } from '../core/actor.ts';
import { collectGarbage } from '../blobs/gc.ts';
import { ensureAdmin, openRuntime } from '../runtime.ts';
import { courseCommand } from './course.ts';
import { graderTestCommand } from './grader-test.ts';
import { gradebookCommand } from './gradebook.ts';
import { scheduleCommand } from './schedule.ts';
import { oauthCommand } from './oauth.ts';
import { inginiousCommand } from './inginious.ts';
import { serve } from './serve.ts';
import { UsageError } from './usage.ts';
import { worker } from './worker.ts';

export type Flags = Record<string, string | string[] | boolean | undefined>;

const out = (line: string) => process.stdout.write(line + '\n');

/**
 * Runs one CLI command, as parsed by usage.ts (a known command with the arguments its grammar
 * requires); returns the exit code (-1: keep running, the server is up).
 */
export async function runCli(config: Config, name: string, args: string[], flags: Flags): Promise<number> {
  const [command, sub] = name.split(' ');
  if (command === 'serve') {
    await serve(config);
    return -1;
  }
  if (command === 'worker') {
    await worker(config, workerOptions(config, flags));
    return -1;
  }
  // Runs from the course directory alone: no database is opened.
  if (name === 'grader test') return graderTestCommand(config, args[0]!, args[1]);
  const runtime = await openRuntime(config);
  const { services } = runtime;
  try {
    switch (command) {
      case 'migrate': {
        await ensureAdmin(services).then((admin) => {
          if (admin?.generatedPassword) out(`created admin account "${admin.username}" with password: ${admin.generatedPassword}`);
        });
        out('database is up to date');
        return 0;
      }
      case 'gc': {
        const grace = flags['grace-seconds'] !== undefined ? Number(flags['grace-seconds']) : 3600;
        if (!Number.isFinite(grace) || grace < 0) throw new UsageError('--grace-seconds must be a non-negative number');
        const result = await collectGarbage(services, grace);
        out(`removed ${result.trees} file trees and ${result.blobs} blobs (${result.bytes} bytes)`);
        return 0;
      }
      case 'user':
        return await userCommand(services, sub!, args[0], flags);
      case 'course':
        return await courseCommand(services, [sub!, ...args], flags);
      case 'schedule':
        return await scheduleCommand(services, args[0]!);
      case 'oauth':
        return await oauthCommand(services, args[0]!, flags);
      case 'inginious':
        return await inginiousCommand(services, [sub!, ...args], flags);
      case 'gradebook':
        return await gradebookCommand(services, args[0]!, flags);
      default:
        throw new Error(`no handler for the command "${name}"`);
    }
  } finally {
    await runtime.close();
  }
}

async function userCommand(
  services: Awaited<ReturnType<typeof openRuntime>>['services'],
  sub: string,
  target: string | undefined,
  flags: Flags,
): Promise<number> {
  if (sub === 'list') {
    for (const u of await services.users.listAll()) out(`${u.id}\t${u.username}\tclearance ${u.clearance}\t${`${u.first_name} ${u.last_name}`.trim()}`);
    return 0;
  }
  // Every other user command takes USERNAME (the grammar requires it).
  const username = target!;
  const password = typeof flags.password === 'string' ? flags.password : null;
  switch (sub) {
    case 'create': {
      const clearance = Number(flags.clearance ?? 1);
      if (![1, 2, 3, 5].includes(clearance)) throw new UsageError('--clearance must be 1, 2, 3 or 5');
      const chosen = password ?? crypto.randomBytes(12).toString('base64url');
      const user = await services.users.createTrusted({
        username,
        password: chosen,
        clearance: clearance as ClearanceLevel,
        first_name: typeof flags['first-name'] === 'string' ? flags['first-name'] : '',
        last_name: typeof flags['last-name'] === 'string' ? flags['last-name'] : '',
        email: typeof flags.email === 'string' ? flags.email : '',
      });
      out(`created user ${user.username} (id ${user.id}, clearance ${clearance})`);
      if (!password) out(`password: ${chosen}`);
      return 0;
    }
    case 'edit': {
      const text = (flag: string) => (typeof flags[flag] === 'string' ? (flags[flag] as string) : undefined);
      const input = { email: text('email'), first_name: text('first-name'), last_name: text('last-name') };
      if (Object.values(input).every((v) => v === undefined)) throw new Error('give at least one of --email, --first-name, --last-name');
      const profile = await services.users.updateProfileTrusted(username, input);
      out(`${profile.username}: email ${profile.email || '(none)'}, name ${`${profile.first_name} ${profile.last_name}`.trim() || '(none)'}`);
      return 0;
    }
    case 'passwd': {
      const chosen = password ?? crypto.randomBytes(12).toString('base64url');
      await services.users.setPassword(username, chosen);
      out(password ? `password of ${username} changed` : `new password of ${username}: ${chosen}`);
      return 0;
    }
    case 'token': {
      const user = await services.users.byUsername(username);
      if (!user) throw new Error(`no user named ${username}`);
      const token = await services.tokens.createApiToken(user.id, typeof flags.name === 'string' ? flags.name : 'cli');
      out(token.token);
      return 0;
    }
    default:
      throw new Error(`no handler for the command "user ${sub}"`);
  }
}

/** `assay worker [--concurrency N] [--metrics-port P]`; concurrency defaults to ASSAY_WORKERS, or 2 when that is 0. */
function workerOptions(config: Config, flags: Flags): { concurrency: number; metricsPort?: number } {
  const concurrency = flags.concurrency !== undefined ? Number(flags.concurrency) : config.gradingWorkers || 2;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new UsageError('--concurrency must be a whole number from 1 to 256');
  if (flags['metrics-port'] === undefined) return { concurrency };
  const metricsPort = Number(flags['metrics-port']);
  if (!Number.isInteger(metricsPort) || metricsPort < 1 || metricsPort > 65535) throw new UsageError('--metrics-port must be a port number');
  return { concurrency, metricsPort };
}
