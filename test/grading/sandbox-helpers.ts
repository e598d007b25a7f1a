import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findExecutable, Sandbox, sandboxStatus } from '../../src/grading/sandbox/index.ts';
import type { SandboxResult, SandboxSettings } from '../../src/grading/sandbox/index.ts';

/**
 * With ASSAY_REQUIRE_SANDBOX=1 (.ci/run sets it, so a green CI means the sandbox was tested), a test
 * file that needs the sandbox fails where it would otherwise skip its sandbox tests.
 */
const sandboxRequired = process.env.ASSAY_REQUIRE_SANDBOX === '1';

export const BWRAP = findExecutable('bwrap');
if (!BWRAP && sandboxRequired) throw new Error('ASSAY_REQUIRE_SANDBOX=1 but bubblewrap (bwrap) is not installed');
export const SKIP_WITHOUT_BWRAP = BWRAP ? false : 'bubblewrap (bwrap) is not installed: sandbox tests skipped';

/** Whether the default sandbox works here (bwrap present and proven by one probe run); see sandboxRequired. */
export async function sandboxWorks(): Promise<boolean> {
  const { available, reason } = await sandboxStatus();
  if (!available && sandboxRequired) throw new Error(`ASSAY_REQUIRE_SANDBOX=1 but the sandbox does not work here: ${reason}`);
  return available;
}

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

/**
 * Removes a sandbox root that a killed server left behind: its mount helper unmounts the run and /etc
 * tmpfs mounts as soon as it sees the server gone, which may be a moment after the server's exit.
 */
export async function removeRootOfKilledServer(root: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      fs.rmSync(root, { recursive: true, force: true });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EBUSY' || i >= 100) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
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
