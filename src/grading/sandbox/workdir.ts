import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { AssayError } from '../../core/errors.ts';
import { pathProblem } from '../../core/files/paths.ts';
import { isAlive } from './alive.ts';
import type { SandboxFile } from './types.ts';

/** Host uid/gid the sandbox runs as; null when the host process is not root (then it runs as us). */
export type Owner = { uid: number; gid: number } | null;

export function normalizeFiles(files: SandboxFile[] | Map<string, string | Buffer>): SandboxFile[] {
  const list = files instanceof Map ? [...files].map(([p, content]) => ({ path: p, content })) : files;
  const problems: { field: string; code: string; message: string }[] = [];
  const seen = new Set<string>();
  list.forEach((file, i) => {
    const problem = typeof file.path === 'string' ? pathProblem(file.path) : 'not a string';
    if (problem) problems.push({ field: `files.${i}.path`, code: 'invalid', message: `Invalid path: ${problem}.` });
    else if (seen.has(file.path)) problems.push({ field: `files.${i}.path`, code: 'unique', message: `Duplicate path ${file.path}.` });
    seen.add(file.path);
  });
  // A path that is also a directory of another (`a` and `a/b`) cannot be laid out.
  for (const p of seen) {
    const parts = p.split('/');
    for (let n = 1; n < parts.length; n++) {
      const dir = parts.slice(0, n).join('/');
      if (seen.has(dir)) problems.push({ field: 'files', code: 'invalid', message: `${dir} is both a file and a directory.` });
    }
  }
  if (problems.length > 0) throw AssayError.invalid(problems);
  return list;
}

/**
 * A fresh directory under `root` (named after this process, see removeStaleWorkDirs) holding exactly
 * these files, owned by the sandbox's uid so the run may write there. mkdtemp makes it 0700: other
 * runs (same uid, but their own mount namespace) could not see it anyway, and other host users cannot.
 */
export async function createWorkDir(root: string, files: SandboxFile[], owner: Owner): Promise<string> {
  const dir = await fsp.mkdtemp(path.join(root, `run-${process.pid}-`));
  await fillWorkDir(dir, files, owner, () => removeWorkDir(dir));
  return dir;
}

/** Lays out `files` in the empty directory `dir`; on failure calls `discard` and throws `invalid`. */
export async function fillWorkDir(dir: string, files: SandboxFile[], owner: Owner, discard: () => Promise<void>): Promise<void> {
  try {
    const created = new Set<string>();
    for (const file of files) {
      const target = path.join(dir, file.path);
      const parent = path.dirname(target);
      if (parent !== dir && !created.has(parent)) {
        const first = await fsp.mkdir(parent, { recursive: true, mode: 0o755 });
        if (owner && first) {
          for (let d = parent; d.length >= first.length; d = path.dirname(d)) {
            await fsp.chown(d, owner.uid, owner.gid);
          }
        }
        created.add(parent);
      }
      let mode: number;
      if ('sourceFile' in file) {
        await fsp.copyFile(file.sourceFile, target, fs.constants.COPYFILE_EXCL);
        mode = file.mode ?? ((await fsp.stat(file.sourceFile)).mode & 0o111 ? 0o755 : 0o644);
      } else {
        await fsp.writeFile(target, file.content, { flag: 'wx' });
        mode = file.mode ?? 0o644;
      }
      await fsp.chmod(target, mode & 0o777);
      if (owner) await fsp.chown(target, owner.uid, owner.gid);
    }
    if (owner) await fsp.chown(dir, owner.uid, owner.gid);
  } catch (err) {
    await discard();
    if (err instanceof AssayError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
      throw AssayError.tooLarge('The files of the run do not fit in its work directory quota.', 0);
    }
    throw new AssayError('invalid', `Cannot prepare the sandbox files: ${(err as Error).message}`);
  }
}

/** Removes the work dirs of processes that are gone (a crash or a kill leaves them behind). */
export async function removeStaleWorkDirs(root: string): Promise<void> {
  for (const name of await fsp.readdir(root)) {
    const match = /^run-(\d+)-/.exec(name);
    if (match && !isAlive(Number(match[1]))) await removeWorkDir(path.join(root, name));
  }
}

/** Removes a work directory whatever the run did to it (a non-root host cannot enter a chmod 000 directory). */
export async function removeWorkDir(dir: string): Promise<void> {
  try {
    await fsp.rm(dir, { recursive: true, force: true });
  } catch {
    await makeOwnerWritable(dir);
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

async function makeOwnerWritable(dir: string): Promise<void> {
  try {
    await fsp.chmod(dir, 0o700);
    for (const entry of await fsp.readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) await makeOwnerWritable(path.join(dir, entry.name));
    }
  } catch {
    /* best effort */
  }
}

export const DEFAULT_READ_LIMIT = 16 * 1024 * 1024;

/**
 * Reads what a run left in its work directory without trusting it: the path may not leave the
 * directory (symlinks included), only a regular file is read (a FIFO would block, a device could be
 * anything), and never more than maxBytes. Only call it after the run ended (nothing can swap the
 * file in between).
 */
export async function readWorkFile(workDir: string, relativePath: string, maxBytes = DEFAULT_READ_LIMIT): Promise<Buffer | null> {
  const problem = pathProblem(relativePath);
  if (problem) throw AssayError.field('path', 'invalid', `Invalid path: ${problem}.`);
  let real: string;
  try {
    real = await fsp.realpath(path.join(workDir, relativePath));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new AssayError('invalid', `Cannot read ${relativePath}: ${(err as Error).message}`);
  }
  const base = await fsp.realpath(workDir);
  if (!real.startsWith(base + path.sep)) throw new AssayError('invalid', `${relativePath} leads outside the work directory.`);
  const handle = await fsp.open(real, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new AssayError('invalid', `${relativePath} is not a regular file.`);
    if (stat.size > maxBytes) throw AssayError.tooLarge(`${relativePath} is larger than ${maxBytes} bytes.`, maxBytes);
    const buffer = Buffer.alloc(stat.size);
    const { bytesRead } = await handle.read(buffer, 0, stat.size, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
