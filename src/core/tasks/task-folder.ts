import fs from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import type { SyncProblem } from '../courses/course-directory.ts';
import { syncProblemsError } from '../courses/course-directory.ts';
import { pathProblem } from '../files/paths.ts';
import type { GraderSettings } from '../grading/graders.service.ts';
import { DEFAULT_GRADER_LIMITS, GRADER_LIMIT_RANGE } from '../grading/graders.service.ts';
import type { ProblemDefinition } from './problems.ts';
import { PROBLEM_TYPES, gradedInCore } from './problems.ts';
import { parseInZone } from '../zoned-time.ts';

/**
 * Reads an INGInious course folder without touching the database:
 *
 *   DIR/course.yaml            name, accessible, registration, registration_password
 *   DIR/<taskid>/task.yaml     one task per folder holding a task.yaml
 *   DIR/<taskid>/...           the files its `run` script uses (the grader's harness)
 *
 * Every problem is collected and reported at once, each naming its file and key.
 */

export interface Window {
  start: string | null;
  softEnd: string | null;
  end: string | null;
}

export interface CourseFolderPlan {
  name: string;
  hidden: boolean;
  window: Window;
  registrationOpen: boolean;
  registrationWindow: Window;
  requirePassword: boolean;
}

export interface TaskFolderPlan {
  slug: string;
  order: number;
  name: string;
  context: string;
  authors: string[];
  contactUrl: string;
  problems: ProblemDefinition[];
  hidden: boolean;
  window: Window;
  weight: number;
  evaluate: 'best' | 'last';
  submissionAmount: number;
  submissionPeriod: number;
  /** null: graded in the core (multiple choice only) or no `run` script. */
  grader: GraderSettings | null;
  /** Every file of the folder but task.yaml: the harness. */
  files: { path: string; source: string }[];
}

export interface InginiousCoursePlan {
  slug: string;
  course: CourseFolderPlan;
  tasks: TaskFolderPlan[];
}

const ID = /^[a-z0-9\-._]+$/i;
const PROBLEM_ID = /^[a-zA-Z0-9_-]+$/;
const SKIPPED = new Set(['.git', '__pycache__', '.DS_Store', 'task.yaml']);
const NO_WINDOW: Window = { start: null, softEnd: null, end: null };
/** INGInious' defaults: 30 s of CPU, 100 MiB; the hard (wall) limit is three times the CPU time. */
const DEFAULT_TIME = 30;
const DEFAULT_MEMORY = 100;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

async function readYaml(root: string, file: string, problems: SyncProblem[]): Promise<Obj | null> {
  let text: string;
  try {
    text = await fs.readFile(path.join(root, file), 'utf8');
  } catch {
    problems.push({ file, key: null, message: 'file is missing or unreadable' });
    return null;
  }
  try {
    const data: unknown = YAML.parse(text, { maxAliasCount: 100 });
    if (isObj(data)) return data;
    problems.push({ file, key: null, message: 'must hold a mapping of keys' });
  } catch (err) {
    problems.push({ file, key: null, message: `invalid YAML: ${(err as Error).message.split('\n')[0]}` });
  }
  return null;
}

/** `true`, `false`, or `"start/end"` / `"start/soft_end/end"` (each part may be empty). */
function readWindow(value: unknown, zone: string, fail: (message: string) => void): { open: boolean; window: Window } {
  if (value === undefined || value === null || value === true) return { open: true, window: NO_WINDOW };
  if (value === false) return { open: false, window: NO_WINDOW };
  if (typeof value !== 'string') {
    fail('must be true, false or "start/end"');
    return { open: true, window: NO_WINDOW };
  }
  const parts = value.split('/').map((p) => p.trim());
  if (parts.length < 2 || parts.length > 3) {
    fail(`must be "start/end" or "start/soft_end/end", not ${JSON.stringify(value)}`);
    return { open: true, window: NO_WINDOW };
  }
  const at = (p: string | undefined) => {
    if (!p) return null;
    const t = parseInZone(p, zone);
    if (!t) fail(`"${p}" is not a date such as 2025-03-01 23:59:00`);
    return t;
  };
  const start = at(parts[0]);
  const end = at(parts.at(-1));
  const softEnd = parts.length === 3 ? at(parts[1]) : end;
  return { open: true, window: { start, softEnd, end } };
}

function readProblems(raw: unknown, file: string, problems: SyncProblem[]): ProblemDefinition[] {
  const fail = (key: string, message: string) => problems.push({ file, key, message });
  if (!isObj(raw) || Object.keys(raw).length === 0) {
    fail('problems', 'must be a mapping of problem ids to problems, with at least one');
    return [];
  }
  return Object.entries(raw).flatMap(([id, def]) => {
    const key = `problems.${id}`;
    if (!PROBLEM_ID.test(id) || id.length > 100) fail(key, 'the id must be letters, digits, "_" or "-" (at most 100)');
    if (!isObj(def)) {
      fail(key, 'must be a mapping');
      return [];
    }
    const type = def.type;
    if (typeof type !== 'string') fail(`${key}.type`, `is required (one of: ${PROBLEM_TYPES.join(', ')})`);
    if (type === 'match' && typeof def.answer !== 'string' && typeof def.answer !== 'number') fail(`${key}.answer`, 'is required for a match problem');
    if (type === 'multiple_choice') {
      const choices = def.choices;
      if (!Array.isArray(choices) || choices.length === 0) fail(`${key}.choices`, 'must be a list of at least one choice');
      else {
        choices.forEach((c, i) => {
          if (!isObj(c) || typeof c.text !== 'string') fail(`${key}.choices[${i}]`, 'must be a mapping with a `text`');
        });
        if (!choices.some((c) => isObj(c) && c.valid === true)) fail(`${key}.choices`, 'needs at least one choice with `valid: true`');
      }
    }
    if (type === 'file') {
      if (def.max_size !== undefined && !(Number.isInteger(def.max_size) && (def.max_size as number) > 0)) fail(`${key}.max_size`, 'must be a whole number of bytes');
      if (def.allowed_exts !== undefined && !(Array.isArray(def.allowed_exts) && def.allowed_exts.every((e) => typeof e === 'string'))) {
        fail(`${key}.allowed_exts`, 'must be a list of extensions such as .py');
      }
    }
    const answer = type === 'match' && typeof def.answer === 'number' ? { answer: String(def.answer) } : {};
    return [{ ...def, ...answer, id, type: String(type) } satisfies ProblemDefinition];
  });
}

function readLimits(raw: unknown, fail: (key: string, message: string) => void): GraderSettings['limits'] {
  const limits = { ...DEFAULT_GRADER_LIMITS };
  const l = isObj(raw) ? raw : {};
  if (raw !== undefined && !isObj(raw)) fail('limits', 'must be a mapping');
  const num = (k: string, def: number): number => {
    const v = l[k];
    if (v === undefined || v === null) return def;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      fail(`limits.${k}`, 'must be a positive number');
      return def;
    }
    return v;
  };
  const time = Math.ceil(num('time', DEFAULT_TIME));
  const hard = Math.ceil(num('hard_time', 3 * time));
  limits.cpu_seconds = time;
  limits.wall_seconds = hard;
  limits.memory_mb = Math.ceil(num('memory', DEFAULT_MEMORY));
  if (l.output !== undefined) limits.output_bytes = Math.ceil(num('output', 1) * 1024 * 1024);
  for (const [key, column] of [['time', 'cpu_seconds'], ['hard_time', 'wall_seconds'], ['memory', 'memory_mb'], ['output', 'output_bytes']] as const) {
    const { min, max } = GRADER_LIMIT_RANGE[column];
    if (limits[column] < min || limits[column] > max) fail(`limits.${key}`, `gives ${column} = ${limits[column]}, outside ${min} to ${max}`);
  }
  return limits;
}

/** `#!/usr/bin/env python3` → [python3, run]; `#!/bin/bash -e` → [/bin/bash, -e, run]; no line → [sh, run]. */
function runCommand(firstLine: string): string[] {
  if (!firstLine.startsWith('#!')) return ['sh', 'run'];
  const words = firstLine.slice(2).trim().split(/\s+/).filter((w) => w !== '');
  if (words[0] === '/usr/bin/env' && words.length > 1) words.shift();
  return words.length > 0 ? [...words, 'run'] : ['sh', 'run'];
}

async function listFiles(root: string, folder: string, problems: SyncProblem[]): Promise<{ path: string; source: string }[]> {
  const out: { path: string; source: string }[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await fs.readdir(path.join(root, folder, rel), { withFileTypes: true })) {
      if (SKIPPED.has(entry.name) && !(entry.name === 'task.yaml' && rel !== '')) continue;
      const inTree = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(inTree);
      else if (entry.isFile()) {
        const illegal = pathProblem(inTree);
        if (illegal) problems.push({ file: `${folder}/${inTree}`, key: null, message: `illegal path: ${illegal}` });
        else out.push({ path: inTree, source: path.join(root, folder, inTree) });
      } else problems.push({ file: `${folder}/${inTree}`, key: null, message: 'is neither a file nor a folder' });
    }
  };
  await walk('');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function readTask(root: string, folder: string, position: number, zone: string, problems: SyncProblem[]): Promise<TaskFolderPlan | null> {
  const file = `${folder}/task.yaml`;
  const data = await readYaml(root, file, problems);
  if (!data) return null;
  const fail = (key: string | null, message: string) => problems.push({ file, key, message });
  if (!ID.test(folder)) fail(null, `the folder name "${folder}" is not a task id (letters, digits, "-", "." or "_")`);
  const text = (k: string, def = '') => {
    const v = data[k];
    if (v === undefined || v === null) return def;
    if (typeof v !== 'string') fail(k, 'must be text');
    return typeof v === 'string' ? v : def;
  };
  const name = text('name');
  if (name.trim() === '') fail('name', 'is required');
  const author = data.author;
  const authors = typeof author === 'string' ? (author.trim() ? [author] : []) : Array.isArray(author) ? author.map(String) : [];
  const defs = readProblems(data.problems, file, problems);
  const access = readWindow(data.accessible, zone, (m) => fail('accessible', m));
  const weight = data.weight ?? 1;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) fail('weight', 'must be a number of at least 0');
  const evaluate = data.evaluate ?? 'best';
  if (evaluate !== 'best' && evaluate !== 'last') fail('evaluate', 'must be best or last');
  const limit = isObj(data.submission_limit) ? data.submission_limit : { amount: -1, period: -1 };
  const amount = limit.amount ?? -1;
  const period = limit.period ?? -1;
  if (!Number.isInteger(amount) || !Number.isInteger(period)) fail('submission_limit', 'amount and period must be whole numbers (-1: unlimited)');

  const files = await listFiles(root, folder, problems);
  const run = files.find((f) => f.path === 'run');
  let grader: GraderSettings | null = null;
  const limits = readLimits(data.limits, (k, m) => fail(k, m));
  if (!gradedInCore(defs)) {
    if (!run) fail(null, 'a task with problems other than multiple_choice and match needs a `run` script');
    else {
      const firstLine = (await fs.readFile(run.source, 'utf8')).split('\n', 1)[0] ?? '';
      grader = { convention: 'inginious', command: runCommand(firstLine), limits, check_solution: false };
    }
  }
  return {
    slug: folder.toLowerCase(),
    order: typeof data.order === 'number' ? data.order : position,
    name,
    context: text('context'),
    authors,
    contactUrl: text('contact_url'),
    problems: defs,
    hidden: !access.open,
    window: access.window,
    weight: typeof weight === 'number' ? weight : 1,
    evaluate: evaluate === 'last' ? 'last' : 'best',
    submissionAmount: Number(amount),
    submissionPeriod: Number(period),
    grader,
    files,
  };
}

/** Whether DIR looks like an INGInious course (task folders hold task.yaml, none holds an Assay exercise.yaml). */
export async function isInginiousCourseFolder(dir: string): Promise<boolean> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  const has = (folder: string, file: string) => fs.stat(path.join(dir, folder, file)).then((s) => s.isFile(), () => false);
  let tasks = 0;
  for (const e of entries.filter((e) => e.isDirectory())) {
    if (await has(e.name, 'exercise.yaml')) return false;
    if (await has(e.name, 'task.yaml')) tasks++;
  }
  return tasks > 0;
}

/** Reads and checks the whole folder; throws one `invalid` AssayError listing every problem. */
export async function readInginiousCourse(dir: string, options: { slug?: string; zone: string }): Promise<InginiousCoursePlan> {
  const root = path.resolve(dir);
  const problems: SyncProblem[] = [];
  const stat = await fs.stat(root).catch(() => null);
  if (!stat?.isDirectory()) throw syncProblemsError([{ file: dir, key: null, message: 'is not a folder' }]);
  const slug = (options.slug ?? path.basename(root)).toLowerCase();
  if (!ID.test(slug)) problems.push({ file: dir, key: null, message: `"${slug}" is not a course id (letters, digits, "-", "." or "_"); pass --slug` });

  const data = await readYaml(root, 'course.yaml', problems);
  const fail = (key: string, message: string) => problems.push({ file: 'course.yaml', key, message });
  let course: CourseFolderPlan | null = null;
  if (data) {
    const name = typeof data.name === 'string' ? data.name : '';
    if (name.trim() === '') fail('name', 'is required');
    const access = readWindow(data.accessible, options.zone, (m) => fail('accessible', m));
    const registration = readWindow(data.registration ?? true, options.zone, (m) => fail('registration', m));
    const password = data.registration_password;
    course = {
      name,
      hidden: !access.open,
      window: access.window,
      registrationOpen: registration.open,
      registrationWindow: registration.window,
      requirePassword: typeof password === 'string' ? password !== '' : password !== undefined && password !== null,
    };
  }
  const folders = (await fs.readdir(root, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !e.name.startsWith('$'))
    .map((e) => e.name)
    .sort();
  const tasks: TaskFolderPlan[] = [];
  for (const [i, folder] of folders.entries()) {
    const hasTask = await fs.stat(path.join(root, folder, 'task.yaml')).then((s) => s.isFile()).catch(() => false);
    if (!hasTask) continue;
    const task = await readTask(root, folder, i + 1, options.zone, problems);
    if (task) tasks.push(task);
  }
  if (problems.length > 0 || !course) throw syncProblemsError(problems);
  return { slug, course, tasks };
}
