import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The sandbox's small C programs (native/): the broker, main program of a harness's run under
 * separation by uid (broker.c), and run_student (run_student.c), which asks it to start the student's
 * code, or runs the nested sandbox (run_student.sh, compiled in) where there is no broker. In C so
 * that separating the student's code costs a run a fork and an exec, not shells and setpriv. And
 * the mount helper (mount_helper.c), which mounts the runs' tmpfs work dirs by system calls
 * (mounts.ts; without it, a script runs mount(8) and umount(8) three times a run).
 *
 * They are compiled with the machine's C compiler (`cc`, or $CC) by `npm run build` (so by `npm ci`
 * and `npm install`) into build/native/<hash of their sources>/ at the package's root, and again
 * here, once, when the sources have changed since (a checkout running its sources). Without a
 * compiler, separation by uid is not available (`auto` falls back to nested) and run_student is
 * run_student.sh itself.
 */
const SOURCE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'native');
const BUILD_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'build', 'native');
const SOURCES = ['protocol.h', 'broker.c', 'run_student.c', 'run_student.sh', 'mount_helper.c'];
const FLAGS = ['-O2', '-std=gnu11', '-Wall', '-Wextra'];
/**
 * Linked statically where the C library allows it: no dynamic loader at each exec (a run starts the
 * broker once, and run_student once per call), which is most of what starting so small a program costs.
 */
const STATIC = ['-static', '-s'];

export interface NativePrograms {
  /** Host paths of the compiled programs. */
  broker: string;
  runStudent: string;
  mountHelper: string;
}

let built: { programs: NativePrograms | null; reason: string | null } | null = null;
let nestedScript: Buffer | null = null;

/** run_student.sh: the nested sandbox's run_student, and run_student itself without a compiler. */
export function runStudentScript(): Buffer {
  nestedScript ??= fs.readFileSync(path.join(SOURCE_DIR, 'run_student.sh'));
  return nestedScript;
}

/** run_student as the engine lays it out in every harness's `.assay/bin`: the compiled one, else the script. */
export function runStudentCommand(): Buffer {
  const programs = nativePrograms();
  return programs ? readOnce(programs.runStudent) : runStudentScript();
}

const contents = new Map<string, Buffer>();
function readOnce(file: string): Buffer {
  let content = contents.get(file);
  if (!content) {
    content = fs.readFileSync(file);
    contents.set(file, content);
  }
  return content;
}

/** The compiled programs (built now if their sources changed), or null: see nativeUnavailable. */
export function nativePrograms(): NativePrograms | null {
  built ??= buildNative();
  return built.programs;
}

/** Why nativePrograms() is null. */
export function nativeUnavailable(): string | null {
  built ??= buildNative();
  return built.reason;
}

/** The broker's bytes (the sandbox copies it into each run's work dir). */
export function brokerProgram(programs: NativePrograms): Buffer {
  return readOnce(programs.broker);
}

function compiler(): string {
  return process.env.CC || 'cc';
}

function sourcesHash(): string {
  const hash = crypto.createHash('sha256');
  hash.update(`${compiler()} ${FLAGS.join(' ')} ${STATIC.join(' ')}\n`);
  for (const name of SOURCES) hash.update(`${name}\n`).update(fs.readFileSync(path.join(SOURCE_DIR, name)));
  return hash.digest('hex').slice(0, 16);
}

/** run_student.sh as a C string literal (run_student_sh.h), for run_student.c. */
function scriptHeader(): string {
  const text = runStudentScript().toString('utf8');
  const lines = text.split('\n').map((line) => `  "${line.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\?/g, '\\?')}\\n"`);
  return `/* Generated from run_student.sh by native.ts. */\nstatic const char NESTED_SCRIPT[] =\n${lines.join('\n')};\n`;
}

/**
 * Compiles the programs into build/native/<hash>/ unless they are there already (the directory is
 * made complete elsewhere and renamed into place, so concurrent builds never see half of it), and
 * removes the builds of other sources. Returns the programs, or why there are none.
 */
export function buildNative(log: (line: string) => void = () => undefined): { programs: NativePrograms | null; reason: string | null } {
  let hash: string;
  try {
    hash = sourcesHash();
  } catch (err) {
    return { programs: null, reason: `the sources of the sandbox's programs are missing: ${(err as Error).message}` };
  }
  const dir = path.join(BUILD_DIR, hash);
  const programs = { broker: path.join(dir, 'assay-broker'), runStudent: path.join(dir, 'run_student'), mountHelper: path.join(dir, 'assay-mount') };
  if (Object.values(programs).every((p) => fs.existsSync(p))) return { programs, reason: null };
  const work = path.join(BUILD_DIR, `.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  try {
    fs.mkdirSync(work, { recursive: true });
    fs.writeFileSync(path.join(work, 'run_student_sh.h'), scriptHeader());
    for (const [name, source] of [['assay-broker', 'broker.c'], ['run_student', 'run_student.c'], ['assay-mount', 'mount_helper.c']] as const) {
      const args = [...FLAGS, '-I', work, '-o', path.join(work, name), path.join(SOURCE_DIR, source)];
      let cc = spawnSync(compiler(), [...args, ...STATIC], { encoding: 'utf8' });
      if (cc.error || cc.status !== 0) cc = spawnSync(compiler(), args, { encoding: 'utf8' });
      if (cc.error || cc.status !== 0) {
        const why = cc.error ? cc.error.message : cc.stderr.trim().split('\n').slice(0, 5).join('\n');
        return { programs: null, reason: `cannot compile the sandbox's ${source} with ${compiler()}: ${why}` };
      }
      if (cc.stderr.trim()) log(cc.stderr.trim());
    }
    fs.rmSync(path.join(work, 'run_student_sh.h'));
    fs.chmodSync(work, 0o755);
    try {
      fs.renameSync(work, dir);
    } catch (err) {
      // Another process built the same sources at the same time: theirs is as good.
      if (!fs.existsSync(programs.broker)) throw err;
    }
    // Builds of other sources, once nothing can be starting with them any more.
    for (const name of fs.readdirSync(BUILD_DIR)) {
      const other = path.join(BUILD_DIR, name);
      if (name !== hash && Date.now() - fs.statSync(other).mtimeMs > 10 * 60_000) fs.rmSync(other, { recursive: true, force: true });
    }
    log(`compiled the sandbox's programs into ${dir}`);
    return { programs, reason: null };
  } catch (err) {
    return { programs: null, reason: `cannot build the sandbox's programs: ${(err as Error).message}` };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
