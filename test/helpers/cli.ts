import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * How a test starts `assay`: the sources through tsx, so a test never runs a stale build; or, with
 * ASSAY_TEST_BUILT_CLI=1 (.ci/run sets it: `npm ci` has just built dist/), the compiled bin/assay.js.
 */
const CLI = process.env.ASSAY_TEST_BUILT_CLI === '1' ? [path.join(ROOT, 'bin/assay.js')] : ['--import', 'tsx', path.join(ROOT, 'src/main.ts')];

/** Starts the real `assay` command with extra environment (ASSAY_ADMIN_PASSWORD unset unless given). */
export function spawnCli(args: string[], env: Record<string, string>): ChildProcessWithoutNullStreams {
  const base = { ...process.env };
  delete base.ASSAY_ADMIN_PASSWORD;
  return spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, env: { ...base, ...env } });
}

/** Runs `assay <args>` to completion. */
export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
