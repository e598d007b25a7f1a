/**
 * bench:grading's floor: the trivial Python check run by bwrap itself, spawned from here, with the
 * isolation a grading run has. The options are Assay's own (bwrapArgs: the same namespaces, the
 * user namespace joined the same way under separation by uid, the same read-only /usr, /etc copy,
 * /proc, /dev, /tmp of the run's size, /work bind, remount, environment), so nothing in the
 * comparison differs in what bwrap sets up. What it leaves out is everything Assay adds around
 * bwrap: the launcher and its rlimits, the cgroup, the work dir's tmpfs, the broker (the check's
 * child is a plain `cat` where the real harness calls `run_student cat`), the watchdog, and of
 * course the server, queue and database.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bwrapArgs, systemArgs } from '../src/grading/sandbox/bwrap-args.ts';
import { SANDBOX_PATH } from '../src/grading/sandbox/constants.ts';
import { buildSandboxEtc } from '../src/grading/sandbox/etc.ts';
import { resolveLimits } from '../src/grading/sandbox/limits.ts';
import type { SandboxLimits } from '../src/grading/sandbox/types.ts';
import { createSharedUserns, DEFAULT_STUDENT_HOST_UID_BASE } from '../src/grading/sandbox/userns.ts';
import type { SharedUserns } from '../src/grading/sandbox/userns.ts';
import { findExecutable } from '../src/grading/sandbox/index.ts';
import type { Separation } from '../src/grading/sandbox/index.ts';

export interface RawBwrap {
  /** One run: a fresh work dir with `files`, bwrap + `command` (a non-zero exit throws), then the work dir's `read` file and removal. */
  run(files: { path: string; content: string }[], command: string[], read: string): Promise<{ file: string | null }>;
  /** The options every run passes to bwrap (for the report). */
  readonly namespaces: string;
  close(): Promise<void>;
}

/** The sandbox uid on the host when this process is root (as Assay's default). */
const HOST_OWNER = { uid: 65534, gid: 65534 };

export async function openRawBwrap(separation: Separation, limitsGiven: Partial<SandboxLimits>): Promise<RawBwrap> {
  const bwrap = findExecutable('bwrap');
  if (!bwrap) throw new Error('bwrap not found');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-bench-raw-'));
  fs.chmodSync(root, 0o711);
  const limits = resolveLimits(limitsGiven);
  const system = systemArgs(await buildSandboxEtc(root), []);
  const root0 = process.getuid?.() === 0;
  let userns: SharedUserns | null = null;
  if (separation === 'uid') {
    const tools = { unshare: findExecutable('unshare')!, nsenter: findExecutable('nsenter')! };
    userns = await createSharedUserns(tools, HOST_OWNER.uid, HOST_OWNER.gid, Number(process.env.ASSAY_SANDBOX_STUDENT_UID_BASE) || DEFAULT_STUDENT_HOST_UID_BASE);
  }
  const owner = root0 ? HOST_OWNER : null;
  let sequence = 0;
  const optionsFor = (workDir: string, command: string[]) =>
    bwrapArgs({ system, workDir, limits, command, env: { PATH: SANDBOX_PATH }, nprocInside: null, nested: true, ...(userns ? { userns: { fd: 4, broker: null } } : {}) });
  const sample = optionsFor('/x', ['true']).options;
  return {
    namespaces: sample.slice(0, sample.indexOf('--die-with-parent')).join(' '),
    async run(files, command, read) {
      const dir = path.join(root, `run-${++sequence}`);
      await fsp.mkdir(dir, { mode: 0o700 });
      for (const f of files) {
        const target = path.join(dir, f.path);
        await fsp.writeFile(target, f.content, { mode: 0o644 });
        if (owner) await fsp.chown(target, owner.uid, owner.gid);
      }
      if (owner) await fsp.chown(dir, owner.uid, owner.gid);
      try {
        const { options, command: argv } = optionsFor(dir, command);
        await new Promise<void>((resolve, reject) => {
          const child = spawn(bwrap, [...options, ...argv], {
            stdio: userns ? ['ignore', 'pipe', 'pipe', 'ignore', userns.fd] : ['ignore', 'pipe', 'pipe'],
            // Joining the shared user namespace needs root, as Assay's launcher is then; otherwise the sandbox uid.
            ...(userns || !owner ? {} : owner),
          });
          let stderr = '';
          child.stdout!.resume();
          child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
          child.on('error', reject);
          child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`raw bwrap exited ${code}: ${stderr.trim()}`))));
        });
        const file = await fsp.readFile(path.join(dir, read), 'utf8').catch(() => null);
        return { file };
      } finally {
        await fsp.rm(dir, { recursive: true, force: true });
      }
    },
    async close() {
      userns?.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
