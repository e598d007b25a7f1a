import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { Socket } from 'node:net';
import { nativePrograms } from './native.ts';

/**
 * Mounts and unmounts size- and inode-limited tmpfs file systems (root only). A run's work dir is
 * one: the kernel stops a write past the quota at once (ENOSPC), however fast the run writes, and
 * unmounting removes every file in one step. Inside the sandbox, /proc/self/mountinfo shows such a
 * bind as `/` of an `assay` tmpfs, not as the host path it was bound from.
 *
 * Mounting and unmounting happen in one long-lived root helper reading requests on its stdin
 * (NUL-separated: op, dir, options), so the server's event loop never forks for them; it makes and
 * removes the mount points itself. The helper is native/mount_helper.c (the system calls, nothing
 * started per request) where it was compiled (native.ts), else this bash script (mount(8) or
 * umount(8) exec'd per request).
 * Answers come back one line per request, in order. When its stdin closes (this process died or
 * closed it) it unmounts whatever is still mounted.
 */
const MOUNT_SCRIPT = [
  'declare -A live',
  'while IFS= read -r -d "" op && IFS= read -r -d "" dir && IFS= read -r -d "" opts; do',
  '  case "$op" in',
  '    m) mount -t tmpfs -o "$opts" assay "$dir" ;;',
  '    u) umount -l -- "$dir" ;;',
  '    p) mkfifo -m 0600 -- "$dir" && chown -- "$opts" "$dir" ;;',
  '    *) false ;;',
  '  esac',
  '  if [ $? -eq 0 ]; then',
  '    if [ "$op" = m ]; then live["$dir"]=1; elif [ "$op" = u ]; then unset "live[$dir]"; fi',
  '    echo ok',
  '  else echo "error $op failed"; fi',
  'done',
  // Our process is gone (or closed us): nothing it mounted may stay behind.
  'for dir in "${!live[@]}"; do umount -l -- "$dir"; rmdir -- "$dir"; done 2>/dev/null',
].join('\n');

export interface TmpfsLimits {
  bytes: number;
  files: number;
  uid: number;
  gid: number;
  mode: number;
}

export class Mounter {
  private readonly child: ChildProcess;
  private readonly waiting: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private buffered = '';
  private dead: Error | null = null;

  constructor(bash: string) {
    const native = nativePrograms()?.mountHelper;
    this.child = spawn(native ?? bash, native ? [] : ['--norc', '--noprofile', '-c', MOUNT_SCRIPT, 'assay-mount'], {
      stdio: ['pipe', 'pipe', 'ignore'],
      cwd: '/',
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    });
    this.child.on('error', (err) => this.fail(err));
    this.child.on('exit', () => this.fail(new Error('the mount helper exited')));
    this.child.stdin!.on('error', () => undefined);
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (chunk: string) => {
      this.buffered += chunk;
      let newline: number;
      while ((newline = this.buffered.indexOf('\n')) >= 0) {
        const line = this.buffered.slice(0, newline);
        this.buffered = this.buffered.slice(newline + 1);
        const next = this.waiting.shift();
        if (line === 'ok') next?.resolve();
        else next?.reject(new Error(line.replace(/^error /, '') || 'mount failed'));
      }
    });
    this.unref();
  }

  /** Creates `dir` (it must not exist) and mounts a tmpfs with these limits on it. */
  async mount(dir: string, limits: TmpfsLimits): Promise<void> {
    const options = `size=${limits.bytes},nr_inodes=${limits.files},mode=${limits.mode.toString(8)},uid=${limits.uid},gid=${limits.gid},nosuid,nodev`;
    await fsp.mkdir(dir, { mode: 0o700 });
    try {
      await this.request('m', dir, options);
    } catch (err) {
      await fsp.rmdir(dir).catch(() => undefined);
      throw err;
    }
  }

  /** Detaches the tmpfs at `dir` (its files go with it) and removes the directory. */
  async unmount(dir: string): Promise<void> {
    await this.request('u', dir, '');
    await fsp.rmdir(dir);
  }

  close(): void {
    this.fail(new Error('the mount helper was closed'));
    this.child.stdin!.end();
  }

  private request(op: string, dir: string, options: string): Promise<void> {
    if (this.dead) return Promise.reject(this.dead);
    if (dir.includes('\0') || options.includes('\0')) return Promise.reject(new Error('NUL in a mount request'));
    return new Promise<void>((resolve, reject) => {
      if (this.waiting.length === 0) this.ref();
      this.waiting.push({
        resolve: () => {
          if (this.waiting.length === 0) this.unref();
          resolve();
        },
        reject: (err) => {
          if (this.waiting.length === 0) this.unref();
          reject(err);
        },
      });
      this.child.stdin!.write(`${op}\0${dir}\0${options}\0`);
    });
  }

  private fail(err: Error): void {
    if (!this.dead) this.dead = err;
    for (const w of this.waiting.splice(0)) w.reject(err);
  }

  // An idle helper must not keep the process alive.
  private ref(): void {
    this.child.ref();
    (this.child.stdout as Socket).ref();
  }

  private unref(): void {
    this.child.unref();
    (this.child.stdout as Socket).unref();
    (this.child.stdin as Socket).unref();
  }
}

/** The tmpfs mount points under `root` (from this process's mountinfo), for removing stale ones. */
export function tmpfsMountsUnder(root: string): string[] {
  const found: string[] = [];
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const fields = line.split(' ');
    const point = fields[4]?.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    const dash = fields.indexOf('-');
    if (point && dash > 0 && fields[dash + 1] === 'tmpfs' && point.startsWith(`${root}/`)) found.push(point);
  }
  return found;
}

/**
 * Whether a tmpfs run dir is full (no block or no inode left): the run went over its quota. A tmpfs
 * keeps a few blocks back from no one, so "full" means fewer free than one page.
 */
export function tmpfsFull(dir: string): boolean {
  try {
    const s = fs.statfsSync(dir);
    return s.bfree === 0 || s.ffree === 0;
  } catch {
    return false;
  }
}
