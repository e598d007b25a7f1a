import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findExecutable, Sandbox } from '../../src/grading/sandbox/index.ts';
import type { SandboxResult, SandboxSettings } from '../../src/grading/sandbox/index.ts';

export const BWRAP = findExecutable('bwrap');
export const SKIP_WITHOUT_BWRAP = BWRAP ? false : 'bubblewrap (bwrap) is not installed: sandbox tests skipped';

/** A sandbox with its own root (removed by its close()), so tests never meet other runs' leftovers. */
export function testSandbox(settings: SandboxSettings = {}): Sandbox & { dispose(): Promise<void> } {
  const root = path.join(os.tmpdir(), `assay-sandbox-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  const box = new Sandbox({ root, ...settings }) as Sandbox & { dispose(): Promise<void> };
  box.dispose = async () => {
    await box.close();
    fs.rmSync(root, { recursive: true, force: true });
  };
  return box;
}

/** Host pids whose command line contains `marker` (each argv joined by spaces). */
export function hostProcessesWith(marker: string): number[] {
  const found: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(marker)) found.push(Number(name));
    } catch {
      /* gone */
    }
  }
  return found;
}

export function uniqueMarker(): string {
  return `${Date.now() % 100000}${Math.floor(Math.random() * 1e6)}`;
}

/** The run's outcome without the functions, for assertion messages. */
export function describeRun(r: SandboxResult): string {
  const { readFile: _r, cleanup: _c, ...rest } = r;
  return JSON.stringify({ ...rest, stdout: rest.stdout.slice(0, 2000), stderr: rest.stderr.slice(0, 2000) });
}
