import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runStudentCommand, SUBMISSION_DIR } from '../sandbox/index.ts';
import type { SandboxFile } from '../sandbox/index.ts';
import type { GraderConvention } from '../../core/grading/graders.service.ts';

export interface TreeFile {
  path: string;
  content: Buffer;
}

const INGINIOUS_BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'inginious-bin');

/** The engine's own files in the work directory: a submitted file never lands under it. */
export const ASSAY_DIR = '.assay';
/** Where run_student (every convention) and the INGInious feedback commands live (first on PATH). */
export const ASSAY_BIN = '.assay/bin';
/** The submission as submitted, which run_student copies into the student's own /work (the sandbox binds it at /submission). */
export { SUBMISSION_DIR };
export const SANDBOX_PATH = `/work/${ASSAY_BIN}:/usr/local/bin:/usr/bin:/bin`;

/**
 * How a run's work directory is laid out: the harness and the submitted files side by side in
 * /work (as Tango lays out `autograde-Makefile`, `autograde.tar` and the handin for `make`), and
 * the submission again, alone, in `.assay/submission/`: `run_student` (in `.assay/bin`, first on
 * PATH) runs the student's code in a sandbox of its own whose /work is a copy of that directory.
 * A submitted file with a harness file's path is left out (the harness always wins), and so is one
 * under `.assay/` (the engine's). For INGInious, the answers are in `.assay/input.json` and the
 * feedback commands are in `.assay/bin`.
 */
export function layoutFiles(convention: GraderConvention, harness: TreeFile[], submission: TreeFile[], answers: unknown): SandboxFile[] {
  const files: SandboxFile[] = [];
  const seen = new Set<string>();
  const add = (p: string, content: Buffer, mode?: number) => {
    if (seen.has(p)) return;
    seen.add(p);
    files.push({ path: p, content, ...(mode !== undefined ? { mode } : {}) });
  };
  // The harness comes first so a submission can never replace a harness file. Autolab's
  // `autograde-Makefile` is the `Makefile` that `make` runs, as Tango lays it out.
  for (const f of harness) add(convention === 'autolab' && f.path === 'autograde-Makefile' ? 'Makefile' : f.path, f.content, isScript(f) ? 0o755 : undefined);
  for (const { name, content } of harnessCommands()) add(`${ASSAY_BIN}/${name}`, content, 0o755);
  if (convention === 'inginious') {
    add('.assay/input.json', Buffer.from(JSON.stringify(answers ?? {})));
    for (const { name, content } of inginiousCommands()) add(`${ASSAY_BIN}/${name}`, content, 0o755);
  }
  for (const f of submission) {
    if (f.path === ASSAY_DIR || f.path.startsWith(`${ASSAY_DIR}/`)) continue;
    add(f.path, f.content);
    add(`${SUBMISSION_DIR}/${f.path}`, f.content);
  }
  return files;
}

type Command = { name: string; content: Buffer };
let commands: Command[] | null = null;

/** Commands ship with Assay and never change while it runs: each directory is read once. */
function readCommands(dir: string): Command[] {
  return fs.readdirSync(dir).map((name) => ({ name, content: fs.readFileSync(path.join(dir, name)) }));
}

function inginiousCommands(): Command[] {
  commands ??= readCommands(INGINIOUS_BIN);
  return commands;
}

/** run_student, for every convention (the sandbox's: compiled, or its script where there was no compiler). */
function harnessCommands(): Command[] {
  return [{ name: 'run_student', content: runStudentCommand() }];
}

function isScript(f: TreeFile): boolean {
  return f.content.subarray(0, 2).toString('latin1') === '#!' || /\.(sh|py)$/.test(f.path) || !f.path.includes('.');
}
