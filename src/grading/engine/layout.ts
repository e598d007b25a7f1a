import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SandboxFile } from '../sandbox/index.ts';
import type { GraderConvention } from '../../core/grading/graders.service.ts';

export interface TreeFile {
  path: string;
  content: Buffer;
}

const INGINIOUS_BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'inginious-bin');

/** Where the INGInious feedback commands live inside the work directory (first on PATH). */
export const ASSAY_BIN = '.assay/bin';
export const SANDBOX_PATH = `/work/${ASSAY_BIN}:/usr/local/bin:/usr/bin:/bin`;

/**
 * How a run's work directory is laid out: the harness and the submitted files side by side in
 * /work (as Tango lays out `autograde-Makefile`, `autograde.tar` and the handin for `make`, and
 * as a native harness imports the student's module from its own directory). A submitted file
 * with a harness file's path is left out: the harness always wins. For INGInious, the answers
 * are in `.assay/input.json` and the feedback commands are first on PATH.
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
  for (const f of submission) add(f.path, f.content);
  if (convention === 'inginious') {
    add('.assay/input.json', Buffer.from(JSON.stringify(answers ?? {})));
    for (const { name, content } of inginiousCommands()) add(`${ASSAY_BIN}/${name}`, content, 0o755);
  }
  return files;
}

let commands: { name: string; content: Buffer }[] | null = null;

/** The INGInious feedback commands, read once: they ship with Assay and never change while it runs. */
function inginiousCommands(): { name: string; content: Buffer }[] {
  commands ??= fs.readdirSync(INGINIOUS_BIN).map((name) => ({ name, content: fs.readFileSync(path.join(INGINIOUS_BIN, name)) }));
  return commands;
}

function isScript(f: TreeFile): boolean {
  return f.content.subarray(0, 2).toString('latin1') === '#!' || /\.(sh|py)$/.test(f.path) || !f.path.includes('.');
}
