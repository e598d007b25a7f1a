import fs from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { MAX_GRACE_DAYS, MAX_LATE_SLACK_SECONDS } from '../assessments/late-policy.ts';
import { parseTimestamp } from '../clock.ts';
import { AssayError } from '../errors.ts';
import { pathProblem } from '../files/paths.ts';
import type { GraderSettings } from '../grading/graders.service.ts';
import { checkGraderInput, GRADER_LIMIT_KEYS } from '../grading/graders.service.ts';
import { PATBAS_POLICIES, PREVIEW_TYPES } from './exercise-access.ts';
import type { Exercise } from './exercises.service.ts';
import type { Field } from './fields.service.ts';
import { FIELD_TYPES } from './fields.service.ts';
import type { ProblemInput } from './problems.service.ts';
import { MAX_PROBLEM_NAME } from './problems.service.ts';

/**
 * Reads and checks a course directory (the format is documented in the README, "Course
 * directories"), without touching the database:
 *
 *   DIR/course.yaml                the course, its subjects and modules
 *   DIR/roster.csv                 its members                (optional)
 *   DIR/<folder>/exercise.yaml     one exercise per folder (folders starting with `.` or `_` are skipped)
 *   DIR/<folder>/handout/          the starter files          (optional)
 *   DIR/<folder>/solution/         the reference solution     (optional)
 *   DIR/<folder>/preview/          the statement's preview    (optional)
 *   DIR/<folder>/patbas_preview/   the solution's preview     (optional)
 *   DIR/<folder>/grader/           the grader's harness       (optional; needs a `grader:` section)
 *
 * Every problem is collected and reported at once, each naming its file and key.
 */

export interface SyncProblem {
  /** Relative to the course directory, `/`-separated. */
  file: string;
  /** The YAML key (`subjects[0].modules[1].name`), or null for the file itself. */
  key: string | null;
  message: string;
}

export interface PlannedFile {
  /** Path inside the tree. */
  path: string;
  /** Where it is on disk. */
  source: string;
  size: number;
}

export interface ModulePlan {
  name: string;
  order: string;
}

export interface SubjectPlan {
  symbol: string;
  name: string;
  color: string;
  modules: ModulePlan[];
}

export interface CoursePlan {
  slug: string;
  name: string;
  semester: string;
  description: string;
  /** Username; null: the first admin. */
  checker: string | null;
  start_at: string | null;
  end_at: string | null;
  /** Autolab's late policy; null: not given, left as it is (0 for a new course). */
  grace_days: number | null;
  late_slack: number | null;
  subjects: SubjectPlan[];
}

/** A field as the directory describes it: everything but its identity and class groups. */
export type FieldPlan = Omit<Field, 'id' | 'exercise_id' | 'groups'>;

/** The exercise columns a directory sets. */
export type ExerciseColumns = Pick<
  Exercise,
  | 'name'
  | 'description'
  | 'order'
  | 'download'
  | 'preview'
  | 'patbas_preview'
  | 'patbas'
  | 'patbas_download'
  | 'is_lecture'
  | 'autodone'
  | 'autocheck_tag'
  | 'expected_duration'
  | 'segel_brief'
  | 'start_at'
  | 'due_at'
  | 'end_at'
  | 'max_submissions'
>;

export const TREE_FOLDERS = ['handout', 'solution', 'preview', 'patbas_preview', 'grader'] as const;
export type TreeFolder = (typeof TREE_FOLDERS)[number];

export interface ExercisePlan {
  /** The folder, relative to the course directory. */
  folder: string;
  slug: string;
  /** `<subject symbol>/<module name>`, split. */
  module: { symbol: string; name: string };
  columns: ExerciseColumns;
  tags: string[];
  fields: FieldPlan[];
  problems: ProblemInput[];
  grader: GraderSettings | null;
  /** `grader.tests`: the names the harness's result scores (checked against the problems); null when not declared. */
  tests: string[] | null;
  /** null: the folder is absent (or holds no file). */
  trees: Record<TreeFolder, PlannedFile[] | null>;
}

export interface CourseDirectory {
  root: string;
  course: CoursePlan;
  exercises: ExercisePlan[];
  /** The text of `roster.csv` beside course.yaml (README, "Course rosters"); null when there is none. */
  roster: string | null;
}

/** The course's members, beside course.yaml; checked against the database by the sync. */
export const ROSTER_FILE = 'roster.csv';

async function readRoster(root: string, maxBytes: number, problems: SyncProblem[]): Promise<string | null> {
  const file = path.join(root, ROSTER_FILE);
  const stat = await fs.stat(file).catch(() => null);
  if (!stat) return null;
  if (!stat.isFile()) problems.push({ file: ROSTER_FILE, key: null, message: 'is not a file' });
  else if (stat.size > maxBytes) problems.push({ file: ROSTER_FILE, key: null, message: `is over the upload limit of ${maxBytes} bytes` });
  else return fs.readFile(file, 'utf8');
  return null;
}

/** Slugs of courses and exercises: what URLs and other dialects can carry unchanged. */
export const SLUG = /^[a-z0-9](?:[a-z0-9_-]{0,58}[a-z0-9])?$/;
/** Names the sync never uploads: VCS metadata and caches a local test run leaves behind. */
const SKIPPED = new Set(['.git', '__pycache__', '.DS_Store']);

const COURSE_KEYS = ['slug', 'name', 'semester', 'description', 'checker', 'start_at', 'end_at', 'grace_days', 'late_slack', 'subjects'];
const SUBJECT_KEYS = ['symbol', 'name', 'color', 'modules'];
const MODULE_KEYS = ['name', 'order'];
const EXERCISE_KEYS = [
  'slug',
  'name',
  'module',
  'order',
  'description',
  'download',
  'preview',
  'patbas_preview',
  'patbas',
  'patbas_download',
  'is_lecture',
  'autodone',
  'autocheck_tag',
  'expected_duration',
  'segel_brief',
  'start_at',
  'due_at',
  'end_at',
  'max_submissions',
  'tags',
  'fields',
  'problems',
  'grader',
];
const FIELD_KEYS = [
  'name',
  'description',
  'type',
  'order',
  'required',
  'staff_responses',
  'hanich_responses',
  'has_value',
  'lower_limit',
  'upper_limit',
  'choices',
  'segel_only',
  'metadata',
];
const PROBLEM_KEYS = ['name', 'max_score', 'description', 'optional'];
const GRADER_KEYS = ['convention', 'command', 'limits', 'check_solution', 'tests'];
const INT32 = 2_147_483_647;

type Obj = Record<string, unknown>;

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v}`;
}

/** Reads typed values out of one YAML mapping, recording a problem (file + key) for each bad one. */
class Section {
  constructor(
    private readonly file: string,
    private readonly prefix: string,
    readonly data: Obj,
    private readonly problems: SyncProblem[],
    allowed: readonly string[],
  ) {
    for (const key of Object.keys(data)) {
      if (!allowed.includes(key)) this.fail(key, `unknown key (expected one of: ${allowed.join(', ')})`);
    }
  }

  key(k: string): string {
    return this.prefix ? `${this.prefix}.${k}` : k;
  }

  fail(k: string | null, message: string): void {
    this.problems.push({ file: this.file, key: k === null ? this.prefix || null : this.key(k), message });
  }

  has(k: string): boolean {
    return this.data[k] !== undefined && this.data[k] !== null;
  }

  str(k: string, options: { required?: boolean; def?: string; max?: number } = {}): string {
    const v = this.data[k];
    if (v === undefined || v === null) {
      if (options.required) this.fail(k, 'is required');
      return options.def ?? '';
    }
    if (typeof v !== 'string') {
      this.fail(k, `must be text, not ${typeName(v)}`);
      return options.def ?? '';
    }
    if (options.required && v.trim() === '') this.fail(k, 'may not be blank');
    if (v.includes('\0')) this.fail(k, 'may not contain NUL characters');
    if (options.max !== undefined && [...v].length > options.max) this.fail(k, `must be at most ${options.max} characters long`);
    return v;
  }

  nullableStr(k: string, max?: number): string | null {
    return this.has(k) ? this.str(k, { max }) : null;
  }

  /** Text that YAML may also have read as a number (`order: 1`). */
  text(k: string, def: string, max = 100): string {
    const v = this.data[k];
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    return this.has(k) ? this.str(k, { max }) : def;
  }

  bool(k: string, def: boolean): boolean {
    const v = this.data[k];
    if (v === undefined || v === null) return def;
    if (typeof v !== 'boolean') {
      this.fail(k, `must be true or false, not ${typeName(v)}`);
      return def;
    }
    return v;
  }

  int(k: string, options: { def: number | null; min?: number; max?: number }): number | null {
    const v = this.data[k];
    if (v === undefined || v === null) return options.def;
    const min = options.min ?? -INT32 - 1;
    const max = options.max ?? INT32;
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(k, `must be a whole number, not ${typeName(v)}`);
    else if (v < min || v > max) this.fail(k, `must be between ${min} and ${max}`);
    else return v;
    return options.def;
  }

  choice<const V extends readonly string[]>(k: string, values: V, def: V[number] | null): V[number] {
    const v = this.data[k];
    if (v === undefined || v === null) {
      if (def === null) this.fail(k, `is required (one of: ${values.join(', ')})`);
      return def ?? values[0]!;
    }
    if (typeof v !== 'string' || !values.includes(v)) {
      this.fail(k, `must be one of: ${values.join(', ')} (got ${JSON.stringify(v)})`);
      return def ?? values[0]!;
    }
    return v;
  }

  datetime(k: string): string | null {
    const v = this.data[k];
    if (v === undefined || v === null) return null;
    const parsed = typeof v === 'string' ? parseTimestamp(v) : null;
    if (!parsed) this.fail(k, 'must be an ISO 8601 date-time such as 2025-03-01T23:59:00Z');
    return parsed;
  }

  list(k: string): unknown[] {
    const v = this.data[k];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.fail(k, `must be a list, not ${typeName(v)}`);
      return [];
    }
    return v;
  }

  /** Each mapping of a list, as a Section (`key[i]`); other items are reported. */
  sections(k: string, allowed: readonly string[]): Section[] {
    const out: Section[] = [];
    this.list(k).forEach((item, i) => {
      const at = `${this.key(k)}[${i}]`;
      if (!isObj(item)) this.problems.push({ file: this.file, key: at, message: `must be a mapping, not ${typeName(item)}` });
      else out.push(new Section(this.file, at, item, this.problems, allowed));
    });
    return out;
  }

  strings(k: string): string[] {
    return this.list(k).flatMap((item, i) => {
      if (typeof item === 'string' && item.trim() !== '') return [item];
      this.problems.push({ file: this.file, key: `${this.key(k)}[${i}]`, message: `must be non-blank text, not ${typeof item === 'string' ? 'blank' : typeName(item)}` });
      return [];
    });
  }
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const rel = (...parts: string[]) => parts.filter((p) => p !== '').join('/');

async function readYaml(root: string, file: string, problems: SyncProblem[]): Promise<Obj | null> {
  let text: string;
  try {
    text = await fs.readFile(path.join(root, file), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    problems.push({ file, key: null, message: code === 'ENOENT' ? 'file is missing' : `cannot be read (${code ?? (err as Error).message})` });
    return null;
  }
  const doc = YAML.parseDocument(text);
  if (doc.errors.length > 0) {
    for (const e of doc.errors) problems.push({ file, key: null, message: `invalid YAML: ${e.message.split('\n')[0]}` });
    return null;
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    problems.push({ file, key: null, message: `invalid YAML: ${(err as Error).message.split('\n')[0]}` });
    return null;
  }
  if (!isObj(data)) {
    problems.push({ file, key: null, message: `must hold a mapping of keys, not ${typeName(data)}` });
    return null;
  }
  return data;
}

/**
 * Every file under `dir` (sorted by path), hidden ones included, `.git`, `__pycache__` and
 * `.DS_Store` skipped. A symbolic link is followed when it points at a file inside the course
 * directory; anything else that is not a plain file or folder is a problem.
 */
async function listFiles(root: string, realRoot: string, folder: string, maxFileBytes: number, problems: SyncProblem[]): Promise<PlannedFile[]> {
  const out: PlannedFile[] = [];
  const walk = async (relDir: string): Promise<void> => {
    const entries = await fs.readdir(path.join(root, folder, relDir), { withFileTypes: true });
    for (const entry of entries) {
      if (SKIPPED.has(entry.name)) continue;
      const inTree = rel(relDir, entry.name);
      const display = rel(folder, inTree);
      const source = path.join(root, folder, inTree);
      if (entry.isDirectory()) {
        await walk(inTree);
        continue;
      }
      let size: number;
      if (entry.isSymbolicLink()) {
        const target = await fs.realpath(source).catch(() => null);
        const stat = target ? await fs.stat(target) : null;
        if (!target || !stat) {
          problems.push({ file: display, key: null, message: 'is a broken symbolic link' });
          continue;
        }
        if (!target.startsWith(realRoot + path.sep)) {
          problems.push({ file: display, key: null, message: 'is a symbolic link that leaves the course directory' });
          continue;
        }
        if (!stat.isFile()) {
          problems.push({ file: display, key: null, message: 'is a symbolic link to something other than a file' });
          continue;
        }
        size = stat.size;
      } else if (entry.isFile()) {
        size = (await fs.stat(source)).size;
      } else {
        problems.push({ file: display, key: null, message: 'is neither a file nor a folder' });
        continue;
      }
      const illegal = pathProblem(inTree);
      if (illegal) problems.push({ file: display, key: null, message: `illegal path in the tree: ${illegal}` });
      else if (size > maxFileBytes) problems.push({ file: display, key: null, message: `is ${size} bytes, over the upload limit of ${maxFileBytes} bytes` });
      else out.push({ path: inTree, source, size });
    }
  };
  await walk('');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function readCourse(data: Obj, problems: SyncProblem[]): CoursePlan {
  const s = new Section('course.yaml', '', data, problems, COURSE_KEYS);
  const slug = s.str('slug', { required: true });
  if (slug && !SLUG.test(slug)) s.fail('slug', 'must be 1 to 60 lower-case letters, digits, "-" or "_", starting and ending with a letter or digit');
  const subjects: SubjectPlan[] = [];
  const symbols = new Set<string>();
  for (const sub of s.sections('subjects', SUBJECT_KEYS)) {
    const symbol = sub.str('symbol', { required: true, max: 100 });
    if (symbol.includes('/')) sub.fail('symbol', 'may not contain "/"');
    else if (symbols.has(symbol)) sub.fail('symbol', `duplicate subject symbol "${symbol}"`);
    symbols.add(symbol);
    const modules: ModulePlan[] = [];
    const names = new Set<string>();
    sub.sections('modules', MODULE_KEYS).forEach((m, i) => {
      const name = m.str('name', { required: true, max: 100 });
      if (names.has(name)) m.fail('name', `duplicate module name "${name}" in subject "${symbol}"`);
      names.add(name);
      modules.push({ name, order: m.text('order', String(i + 1)) });
    });
    subjects.push({ symbol, name: sub.str('name', { required: true, max: 100 }), color: sub.str('color', { max: 7 }), modules });
  }
  return {
    slug,
    name: s.str('name', { required: true, max: 100 }),
    semester: s.text('semester', ''),
    description: s.str('description'),
    checker: s.nullableStr('checker'),
    start_at: s.datetime('start_at'),
    end_at: s.datetime('end_at'),
    grace_days: s.int('grace_days', { def: null, min: 0, max: MAX_GRACE_DAYS }),
    late_slack: s.int('late_slack', { def: null, min: 0, max: MAX_LATE_SLACK_SECONDS }),
    subjects,
  };
}

/** `command.0` → `command[0]`: core problem paths in YAML's notation. */
const yamlKey = (field: string | null) => (field ?? '').replace(/\.(\d+)(?=\.|$)/g, '[$1]');

/** The grader's settings, and the test names it declares (`grader.tests`, null when it does not). */
function readGrader(s: Section, problems: SyncProblem[], file: string): { settings: GraderSettings | null; tests: string[] | null } {
  if (!s.has('grader')) return { settings: null, tests: null };
  const raw = s.data.grader;
  if (!isObj(raw)) {
    s.fail('grader', `must be a mapping, not ${typeName(raw)}`);
    return { settings: null, tests: null };
  }
  const g = new Section(file, 'grader', raw, problems, GRADER_KEYS);
  if (g.has('limits')) {
    if (isObj(raw.limits)) new Section(file, 'grader.limits', raw.limits, problems, GRADER_LIMIT_KEYS);
  }
  const tests = g.has('tests') ? g.strings('tests') : null;
  const { settings, problems: found } = checkGraderInput(raw);
  for (const p of found) problems.push({ file, key: p.field ? `grader.${yamlKey(p.field)}` : 'grader', message: p.message });
  return { settings, tests };
}

function readField(f: Section, i: number, names: Set<string>): FieldPlan {
  const name = f.str('name', { required: true, max: 100 });
  if (names.has(name)) f.fail('name', `duplicate field name "${name}"`);
  names.add(name);
  let choices: string[] | null = null;
  if (f.has('choices')) choices = f.strings('choices');
  return {
    name,
    description: f.str('description'),
    type: f.choice('type', FIELD_TYPES, null),
    order: f.int('order', { def: i + 1 }) ?? i + 1,
    required: f.bool('required', false),
    staff_responses: f.bool('staff_responses', false),
    hanich_responses: f.bool('hanich_responses', true),
    has_value: f.bool('has_value', true),
    lower_limit: f.int('lower_limit', { def: null }),
    upper_limit: f.int('upper_limit', { def: null }),
    choices,
    segel_only: f.bool('segel_only', false),
    metadata: f.data.metadata ?? null,
  };
}

function readProblem(p: Section, names: Set<string>): ProblemInput {
  const name = p.str('name', { required: true, max: MAX_PROBLEM_NAME });
  if (names.has(name)) p.fail('name', `duplicate problem name "${name}"`);
  names.add(name);
  const raw = p.data.max_score;
  let max = 0;
  if (raw === undefined || raw === null) p.fail('max_score', 'is required');
  else if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0) p.fail('max_score', `must be a number of at least 0, not ${JSON.stringify(raw)}`);
  else max = raw;
  return { name, max_score: max, description: p.str('description'), optional: p.bool('optional', false) };
}

async function readExercise(
  root: string,
  realRoot: string,
  folder: string,
  position: number,
  course: CoursePlan | null,
  maxFileBytes: number,
  problems: SyncProblem[],
): Promise<ExercisePlan | null> {
  const file = `${folder}/exercise.yaml`;
  const entries = await fs.readdir(path.join(root, folder), { withFileTypes: true });
  const trees = Object.fromEntries(TREE_FOLDERS.map((t) => [t, null])) as Record<TreeFolder, PlannedFile[] | null>;
  for (const entry of entries) {
    if (!entry.isDirectory() || SKIPPED.has(entry.name)) continue;
    if (!(TREE_FOLDERS as readonly string[]).includes(entry.name)) {
      problems.push({ file: `${folder}/${entry.name}`, key: null, message: `unknown folder (expected ${TREE_FOLDERS.map((t) => `${t}/`).join(', ')})` });
      continue;
    }
    const files = await listFiles(root, realRoot, `${folder}/${entry.name}`, maxFileBytes, problems);
    trees[entry.name as TreeFolder] = files.length > 0 ? files : null;
  }
  const data = await readYaml(root, file, problems);
  if (!data) return null;
  const s = new Section(file, '', data, problems, EXERCISE_KEYS);

  const slug = s.has('slug') ? s.str('slug') : folder;
  if (!SLUG.test(slug)) {
    if (s.has('slug')) s.fail('slug', 'must be 1 to 60 lower-case letters, digits, "-" or "_", starting and ending with a letter or digit');
    else s.fail(null, `the folder name "${folder}" is not a valid slug; set \`slug:\` (lower-case letters, digits, "-" or "_")`);
  }

  const moduleRef = s.str('module', { required: true });
  const cut = moduleRef.indexOf('/');
  const module = { symbol: cut < 0 ? moduleRef : moduleRef.slice(0, cut), name: cut < 0 ? '' : moduleRef.slice(cut + 1) };
  if (moduleRef && cut < 0) s.fail('module', `must be "<subject symbol>/<module name>" (got ${JSON.stringify(moduleRef)})`);
  else if (moduleRef && course && !course.subjects.some((sub) => sub.symbol === module.symbol && sub.modules.some((m) => m.name === module.name))) {
    const known = course.subjects.flatMap((sub) => sub.modules.map((m) => `${sub.symbol}/${m.name}`));
    s.fail('module', `no module "${moduleRef}" in course.yaml (known: ${known.length > 0 ? known.join(', ') : 'none'})`);
  }

  const fieldNames = new Set<string>();
  const fields = s.sections('fields', FIELD_KEYS).map((f, i) => readField(f, i, fieldNames));
  const problemNames = new Set<string>();
  const problemList = s.sections('problems', PROBLEM_KEYS).map((p) => readProblem(p, problemNames));
  const { settings: grader, tests } = readGrader(s, problems, file);
  if (trees.grader && !s.has('grader')) problems.push({ file: `${folder}/grader`, key: null, message: 'a grader/ folder needs a `grader:` section in exercise.yaml' });
  if (grader?.check_solution && !trees.solution) s.fail('grader.check_solution', 'needs a solution/ folder with the reference solution');

  const columns: ExerciseColumns = {
    name: s.str('name', { required: true, max: 100 }),
    description: s.str('description'),
    order: s.text('order', String(position)),
    download: s.bool('download', true),
    preview: s.choice('preview', PREVIEW_TYPES, 'Disabled'),
    patbas_preview: s.choice('patbas_preview', PREVIEW_TYPES, 'Disabled'),
    patbas: s.choice('patbas', PATBAS_POLICIES, 'Never'),
    patbas_download: s.bool('patbas_download', false),
    is_lecture: s.bool('is_lecture', false),
    autodone: s.bool('autodone', false),
    autocheck_tag: s.nullableStr('autocheck_tag', 20),
    expected_duration: s.nullableStr('expected_duration', 32),
    segel_brief: s.str('segel_brief'),
    start_at: s.datetime('start_at'),
    due_at: s.datetime('due_at'),
    end_at: s.datetime('end_at'),
    max_submissions: s.int('max_submissions', { def: null, min: 1 }),
  };
  return { folder, slug, module, columns, tags: [...new Set(s.strings('tags'))], fields, problems: problemList, grader, tests, trees };
}

/** The files below `dir` as a sync takes a tree (`assay grader test`'s submission folder); throws like readCourseDirectory. */
export async function readFolderFiles(dir: string, options: { maxFileBytes: number }): Promise<PlannedFile[]> {
  const root = path.resolve(dir);
  const stat = await fs.stat(root).catch(() => null);
  if (!stat?.isDirectory()) throw syncProblemsError([{ file: dir, key: null, message: 'is not a folder' }]);
  const problems: SyncProblem[] = [];
  const files = await listFiles(root, await fs.realpath(root), '', options.maxFileBytes, problems);
  if (problems.length > 0) throw syncProblemsError(problems);
  return files;
}

/**
 * Reads the whole directory; throws one `invalid` AssayError listing every problem (see
 * syncProblemsError). `slug`: the course it must describe (an upload into a course's page).
 */
export async function readCourseDirectory(dir: string, options: { maxFileBytes: number; slug?: string }): Promise<CourseDirectory> {
  const root = path.resolve(dir);
  const problems: SyncProblem[] = [];
  const stat = await fs.stat(root).catch(() => null);
  if (!stat?.isDirectory()) throw syncProblemsError([{ file: dir, key: null, message: 'is not a folder' }]);
  const realRoot = await fs.realpath(root);

  const courseData = await readYaml(root, 'course.yaml', problems);
  const course = courseData ? readCourse(courseData, problems) : null;
  if (course?.slug && options.slug !== undefined && course.slug !== options.slug) {
    problems.push({ file: 'course.yaml', key: 'slug', message: `is "${course.slug}"; this course's slug is "${options.slug}"` });
  }

  const folders = (await fs.readdir(root, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !e.name.startsWith('_'))
    .map((e) => e.name)
    .sort();
  const exercises: ExercisePlan[] = [];
  const slugs = new Map<string, string>();
  for (const [i, folder] of folders.entries()) {
    const exercise = await readExercise(root, realRoot, folder, i + 1, course, options.maxFileBytes, problems);
    if (!exercise) continue;
    const other = slugs.get(exercise.slug);
    if (other) problems.push({ file: `${folder}/exercise.yaml`, key: 'slug', message: `slug "${exercise.slug}" is also the slug of ${other}/` });
    slugs.set(exercise.slug, folder);
    exercises.push(exercise);
  }
  const roster = await readRoster(root, options.maxFileBytes, problems);
  if (problems.length > 0 || !course) throw syncProblemsError(problems);
  return { root, course, exercises, roster };
}

/** One `invalid` error for a list of problems: each field is `<file>: <key>` (or the file alone). */
export function syncProblemsError(problems: SyncProblem[]): AssayError {
  const error = AssayError.invalid(problems.map((p) => ({ field: p.key ? `${p.file}: ${p.key}` : p.file, code: 'invalid', message: p.message })));
  error.details.syncProblems = problems;
  return error;
}
