import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { isAlive } from './alive.ts';
import { Mounter, tmpfsFull, tmpfsMountsUnder } from './mounts.ts';
import type { SandboxFile } from './types.ts';
import { createWorkDir, fillWorkDir, removeStaleWorkDirs, removeWorkDir } from './workdir.ts';
import type { Owner } from './workdir.ts';

/** The whole of what a run may keep in its work dir (its files, the student areas of run_student). */
export interface WorkDirQuota {
  bytes: number;
  files: number;
}

export const DEFAULT_WORK_DIR_QUOTA: Readonly<WorkDirQuota> = Object.freeze({ bytes: 256 * 1024 * 1024, files: 10_000 });

/**
 * Where runs' work dirs come from. When this process is root, each is a fresh tmpfs limited to the
 * quota (bytes and files), mounted ahead of time by the mount helper (see mounts.ts) so a run never
 * waits for it, and unmounted at cleanup. Otherwise a plain directory (mkdtemp) with no quota on its
 * total: the sandbox status says so.
 */
export class WorkDirs {
  private ready: Promise<string>[] = [];
  private readonly mounted = new Set<string>();

  private constructor(
    private readonly root: string,
    private readonly owner: Owner,
    private readonly quota: WorkDirQuota,
    private readonly mounter: Mounter | null,
    private readonly poolSize: number,
  ) {}

  /** Where, relative to a work dir, the student areas' tmpfs and the broker's dir are (null: none); see useStudentAreas. */
  private studentAreas: { areas: string; slots: number; broker: string; program: { path: string; content: Buffer } } | null = null;

  /**
   * From now on, each work dir gets a tmpfs of its own (same quota) at `areas` for run_student's
   * student areas (`slots` of them), and the broker's dir at `broker` (0700, the sandbox uid's)
   * holding its program (`program.path`, relative to the work dir).
   */
  useStudentAreas(areas: string, slots: number, broker: string, program: { path: string; content: Buffer }): void {
    if (this.mounter) this.studentAreas = { areas, slots, broker, program };
  }

  /** Removes what dead processes left behind (mounts first) and starts the mount helper when root. */
  static async open(root: string, owner: Owner, quota: WorkDirQuota, bash: string, poolSize: number): Promise<WorkDirs> {
    const mounter = process.getuid?.() === 0 ? new Mounter(bash) : null;
    if (mounter) {
      for (const point of tmpfsMountsUnder(root)) {
        const match = /^(?:run|\.etc)-(\d+)-/.exec(path.basename(point));
        if (match && !isAlive(Number(match[1]))) await mounter.unmount(point).catch(() => undefined);
      }
    }
    await removeStaleWorkDirs(root);
    return new WorkDirs(root, owner, quota, mounter, poolSize);
  }

  /** Whether run dirs have a quota (they are tmpfs mounts). */
  get limited(): boolean {
    return this.mounter !== null;
  }

  /** A fresh work dir holding exactly `files`, owned by the sandbox uid. */
  async create(files: SandboxFile[]): Promise<string> {
    if (!this.mounter) return createWorkDir(this.root, files, this.owner);
    const dir = await (this.ready.shift() ?? this.mountOne());
    this.fill();
    await fillWorkDir(dir, files, this.owner, () => this.remove(dir));
    return dir;
  }

  /** Whether the run filled its work dir (bytes or files): it went over its quota. */
  full(dir: string): boolean {
    return this.mounted.has(dir) && tmpfsFull(dir);
  }

  async remove(dir: string): Promise<void> {
    if (!this.mounted.delete(dir)) return removeWorkDir(dir);
    // Should the helper be gone, its own exit unmounted everything.
    await this.mounter!.unmount(dir).catch(() => undefined);
  }

  /** Resolves when `poolSize` work dirs are ready (mounted ahead of runs). */
  async warm(): Promise<void> {
    this.fill();
    await Promise.all(this.ready.map((p) => p.catch(() => undefined)));
  }

  /** Mounts work dirs until `poolSize` are ready or on their way. */
  fill(): void {
    if (!this.mounter) return;
    while (this.ready.length < this.poolSize) {
      const next = this.mountOne();
      next.catch(() => undefined);
      this.ready.push(next);
    }
  }

  /** A tmpfs for something other than a run (the sandbox's /etc copy): mounted, unmounted at close. */
  async mountPrivate(dir: string, bytes: number, files: number): Promise<boolean> {
    if (!this.mounter) return false;
    await this.mounter.mount(dir, { bytes, files, uid: 0, gid: 0, mode: 0o755 });
    this.mounted.add(dir);
    return true;
  }

  async close(): Promise<void> {
    const idle = this.ready;
    this.ready = [];
    if (!this.mounter) return;
    await Promise.all(idle.map((p) => p.then((dir) => this.remove(dir)).catch(() => undefined)));
    await Promise.all([...this.mounted].map((dir) => this.remove(dir).catch(() => undefined)));
    this.mounter.close();
  }

  private async mountOne(): Promise<string> {
    const dir = path.join(this.root, `run-${process.pid}-${crypto.randomBytes(6).toString('hex')}`);
    const { uid, gid } = this.owner ?? { uid: process.getuid!(), gid: process.getgid!() };
    await this.mounter!.mount(dir, { ...this.quota, uid, gid, mode: 0o700 });
    this.mounted.add(dir);
    if (this.studentAreas) {
      // The student's files (run_student by uid) on a tmpfs of their own, with the same quota: however
      // full the student makes it, the harness keeps room for its results. Unmounting the work dir
      // (umount -l) takes it along.
      const areas = path.join(dir, this.studentAreas.areas);
      const first = await fsp.mkdir(path.dirname(areas), { recursive: true, mode: 0o755 });
      for (let d = path.dirname(areas); first && d.length >= first.length; d = path.dirname(d)) await fsp.chown(d, uid, gid);
      await this.mounter!.mount(areas, { ...this.quota, uid, gid, mode: 0o755 });
      // The student areas /student/N: each run gives each to a student uid of its own (sandbox.ts).
      for (let slot = 0; slot < this.studentAreas.slots; slot++) await fsp.mkdir(path.join(areas, String(slot)), { mode: 0o700 });
      // The broker's directory (its socket goes there) and program, ready before the run (native/broker.c).
      const broker = path.join(dir, this.studentAreas.broker);
      await fsp.mkdir(broker, { mode: 0o700 });
      await fsp.chown(broker, uid, gid);
      await fsp.writeFile(path.join(dir, this.studentAreas.program.path), this.studentAreas.program.content, { mode: 0o755 });
    }
    return dir;
  }
}
