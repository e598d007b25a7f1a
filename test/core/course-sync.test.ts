import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import type { SyncProblem } from '../../src/core/courses/course-directory.ts';
import { readCourseDirectory } from '../../src/core/courses/course-directory.ts';
import type { SyncDeps, SyncReport } from '../../src/core/courses/course-sync.ts';
import { syncCourseDirectory } from '../../src/core/courses/course-sync.ts';
import type { Db } from '../../src/db/database.ts';
import { parseInginiousResults } from '../../src/grading/results/inginious.ts';
import { parseNativeResults } from '../../src/grading/results/native.ts';
import type { RunOutput } from '../../src/grading/results/types.ts';
import { runStudentCommand } from '../../src/grading/sandbox/index.ts';
import { openRuntime } from '../../src/runtime.ts';
import { ROOT, runCli } from '../helpers/cli.ts';
import { adminActor, makeUser } from '../helpers/fixtures.ts';
import type { FreshDatabase } from '../helpers/fresh-db.ts';
import { freshDatabase } from '../helpers/fresh-db.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { client } from '../helpers/http.ts';
import { login } from '../helpers/fixtures.ts';
import { SKIP_WITHOUT_BWRAP } from '../grading/sandbox-helpers.ts';

const EXAMPLE = path.join(ROOT, 'examples/intro-python');
const sha256 = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');
const temps: string[] = [];

/** A copy of the example course to change freely. */
function copyExample(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-course-'));
  temps.push(dir);
  fs.cpSync(EXAMPLE, dir, { recursive: true });
  return dir;
}

/** Replaces text in a file of `dir`; fails the test when the text is not there (so every edit is real). */
function edit(dir: string, file: string, from: string | RegExp, to: string): void {
  const full = path.join(dir, file);
  const text = fs.readFileSync(full, 'utf8');
  const next = text.replace(from, to);
  assert.notEqual(next, text, `${file} has no ${from}`);
  fs.writeFileSync(full, next);
}

/** The files of a folder as a tree listing (path, sha256), sorted as the sync sorts them. */
function onDisk(dir: string): { path: string; sha256: string }[] {
  const out: { path: string; sha256: string }[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else out.push({ path: p, sha256: sha256(fs.readFileSync(path.join(dir, p))) });
    }
  };
  walk('');
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Everything a sync may write, to show that a refused one wrote nothing. */
async function snapshot(db: Db) {
  const count = async (table: 'courses' | 'subjects' | 'modules' | 'exercises' | 'fields' | 'problems' | 'graders' | 'tags' | 'exercise_tags' | 'file_trees' | 'blobs') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const tables = ['courses', 'subjects', 'modules', 'exercises', 'fields', 'problems', 'graders', 'tags', 'exercise_tags', 'file_trees', 'blobs'] as const;
  const counts = Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await count(t)])));
  return {
    counts,
    courses: await db.selectFrom('courses').selectAll().orderBy('id').execute(),
    exercises: await db.selectFrom('exercises').selectAll().orderBy('id').execute(),
    fields: await db.selectFrom('fields').selectAll().orderBy('id').execute(),
    problems: await db.selectFrom('problems').selectAll().orderBy('id').execute(),
    graders: await db.selectFrom('graders').selectAll().orderBy('id').execute(),
  };
}

type Expected = [file: string, key: string | null, message: RegExp];

/** The sync fails with exactly these problems (in any order). */
async function refused(promise: Promise<unknown>, expected: Expected[]): Promise<void> {
  await assert.rejects(promise, (err: { kind?: string; details?: { syncProblems?: SyncProblem[] } }) => {
    assert.equal(err.kind, 'invalid', String(err));
    const problems = err.details?.syncProblems ?? [];
    assert.equal(problems.length, expected.length, JSON.stringify(problems, null, 1));
    for (const [file, key, message] of expected) {
      assert.ok(
        problems.some((p) => p.file === file && p.key === key && message.test(p.message)),
        `no problem ${file} ${key} ${message} in ${JSON.stringify(problems, null, 1)}`,
      );
    }
    return true;
  });
}

const sum = (report: SyncReport, kind: keyof SyncReport['counts']) => report.counts[kind];

describe('course directory sync', () => {
  let server: TestServer;
  let dir: string;
  let first: SyncReport;

  before(async () => {
    server = await startTestServer();
    await makeUser(server, 5, 'first-admin');
    dir = copyExample();
  });
  after(async () => {
    await server.close();
    for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
  });

  it('creates the whole example course', async () => {
    first = await syncCourseDirectory(server.services, dir);
    assert.equal(first.slug, 'intro-python');
    assert.equal(first.changed, true);
    assert.deepEqual(first.warnings, []);
    const created = Object.fromEntries(Object.entries(first.counts).map(([k, c]) => [k, [c.created, c.updated, c.unchanged, c.deleted]]));
    assert.deepEqual(created, {
      courses: [1, 0, 0, 0],
      subjects: [1, 0, 0, 0],
      modules: [2, 0, 0, 0],
      exercises: [2, 0, 0, 0],
      fields: [3, 0, 0, 0],
      problems: [4, 0, 0, 0],
      graders: [2, 0, 0, 0],
      tags: [3, 0, 0, 0],
    });

    const { db, graders, problems, exercises, fields } = server.services;
    const admin = await adminActor(server);
    const course = await db.selectFrom('courses').selectAll().where('slug', '=', 'intro-python').executeTakeFirstOrThrow();
    const firstAdmin = await db.selectFrom('users').select('id').where('clearance', '=', 5).orderBy('id').executeTakeFirstOrThrow();
    assert.deepEqual([course.id, course.name, course.semester, course.checker_id], [first.courseId, 'Introduction to Python', '2025', firstAdmin.id]);
    const modules = await server.services.modules.list(admin, { courseIds: [course.id] });
    assert.deepEqual(modules.map((m) => [m.subject_symbol, m.subject_name, m.subject_color, m.name, m.order]), [
      ['PY', 'Python basics', '#3572a5', 'Functions', '1'],
      ['PY', 'Python basics', '#3572a5', 'Strings', '2'],
    ]);

    const list = await exercises.list(admin, { courseIds: [course.id] });
    assert.deepEqual(list.map((e) => e.slug), ['greet', 'palindromes']);
    const [greet, pal] = list as [(typeof list)[0], (typeof list)[0]];
    assert.deepEqual(
      [greet.name, greet.module_name, greet.order, greet.patbas, greet.patbas_download, greet.download, greet.autocheck_tag, greet.tags],
      ['Greetings and FizzBuzz', 'Functions', '1', 'On Done', true, true, 'python', ['python', 'functions']],
    );
    assert.deepEqual([pal.module_name, pal.patbas, pal.patbas_download, pal.download, pal.autocheck_tag, pal.tags], ['Strings', 'Staff Only', false, true, null, ['python', 'strings']]);

    // The trees hold exactly the folders' files.
    const listing = (rows: { path: string; sha256: string }[]) => rows.map((r) => ({ path: r.path, sha256: r.sha256 }));
    for (const [ex, folder] of [[greet, 'greet'], [pal, 'palindromes']] as const) {
      assert.deepEqual(listing(await exercises.listTree(admin, ex.id, 'handout')), onDisk(path.join(dir, folder, 'handout')));
      assert.deepEqual(listing(await exercises.listTree(admin, ex.id, 'solution')), onDisk(path.join(dir, folder, 'solution')));
      assert.deepEqual(listing((await graders.get(admin, ex.id)).harness), onDisk(path.join(dir, folder, 'grader')));
      assert.equal(ex.preview_tree_id, null);
    }

    const greetFields = await fields.list(admin, greet.id);
    assert.deepEqual(greetFields.map((f) => [f.name, f.type, f.order, f.required, f.lower_limit, f.upper_limit]), [
      ['Minutes spent', 'number', 1, false, 0, 600],
      ['Notes for the checker', 'text', 2, false, null, null],
    ]);
    const palFields = await fields.list(admin, pal.id);
    assert.deepEqual(palFields.map((f) => [f.name, f.type, f.required, f.description]), [['Explanation', 'text', true, 'How does your is_palindrome handle punctuation?']]);
    assert.deepEqual((await problems.list(admin, greet.id)).map((p) => [p.name, p.max_score, p.order]), [['greet', 40, 0], ['fizzbuzz', 60, 1]]);
    assert.deepEqual((await problems.list(admin, pal.id)).map((p) => [p.name, p.max_score]), [['is_palindrome', 50], ['reverse_words', 50]]);

    const greetGrader = await graders.configFor(greet.id);
    assert.deepEqual(
      [greetGrader?.convention, greetGrader?.command, greetGrader?.limits, greetGrader?.check_solution, greetGrader?.solutionTreeId],
      ['native', ['python3', 'run.py'], { wall_seconds: 20, cpu_seconds: 10, memory_mb: 256, processes: 64, output_bytes: 1048576, file_size_mb: 16 }, true, greet.solution_tree_id],
    );
    const palGrader = await graders.configFor(pal.id);
    assert.deepEqual([palGrader?.convention, palGrader?.command, palGrader?.limits.wall_seconds, palGrader?.check_solution], ['inginious', ['sh', 'run'], 30, true]);

    // And through the HTTP API.
    const api = client(server.app, await login(server, 'first-admin'));
    const wire = await api.get(`/api/assay/v1/exercises/${greet.id}/grader/`);
    assert.equal(wire.status, 200, wire.text);
    assert.deepEqual(wire.body.harness.map((e: { path: string }) => e.path), ['run.py']);
    const hive = await api.get(`/api/core/course/exercises/${pal.id}/fields/`);
    assert.deepEqual(hive.body.map((f: { name: string }) => f.name), ['Explanation']);
  });

  it('changes nothing the second time', async () => {
    const before = await snapshot(server.services.db);
    const again = await syncCourseDirectory(server.services, dir);
    assert.equal(again.changed, false);
    assert.equal(again.courseId, first.courseId);
    for (const [kind, c] of Object.entries(again.counts)) {
      assert.deepEqual([c.created, c.updated, c.deleted], [0, 0, 0], kind);
      assert.equal(c.unchanged, first.counts[kind as keyof SyncReport['counts']].created, kind);
    }
    assert.deepEqual(await snapshot(server.services.db), before);
  });

  it('updates only what was edited', async () => {
    const db = server.services.db;
    const before = await snapshot(db);
    edit(dir, 'greet/exercise.yaml', 'name: Greetings and FizzBuzz', 'name: Greetings');
    edit(dir, 'greet/exercise.yaml', 'wall_seconds: 20', 'wall_seconds: 25');
    fs.appendFileSync(path.join(dir, 'greet/grader/run.py'), '# edited\n');
    const report = await syncCourseDirectory(server.services, dir);
    assert.equal(report.changed, true);
    assert.deepEqual([sum(report, 'exercises').updated, sum(report, 'exercises').unchanged], [1, 1]);
    assert.deepEqual([sum(report, 'graders').updated, sum(report, 'graders').unchanged], [1, 1]);
    for (const kind of ['courses', 'subjects', 'modules', 'fields', 'problems', 'tags'] as const) {
      assert.deepEqual([sum(report, kind).created, sum(report, kind).updated, sum(report, kind).deleted], [0, 0, 0], kind);
    }
    const after = await snapshot(db);
    const [greetBefore, palBefore] = before.exercises;
    const [greetAfter, palAfter] = after.exercises;
    assert.deepEqual(palAfter, palBefore);
    assert.equal(greetAfter!.name, 'Greetings');
    assert.ok(greetAfter!.updated_at > greetBefore!.updated_at);
    assert.equal(greetAfter!.handout_tree_id, greetBefore!.handout_tree_id);
    assert.equal(greetAfter!.solution_tree_id, greetBefore!.solution_tree_id);
    assert.deepEqual(after.graders[1], before.graders[1]);
    assert.equal(after.graders[0]!.wall_seconds, 25);
    assert.notEqual(after.graders[0]!.harness_tree_id, before.graders[0]!.harness_tree_id);
    const admin = await adminActor(server);
    const harness = (await server.services.graders.get(admin, greetAfter!.id)).harness;
    assert.deepEqual(harness.map((e) => e.sha256), [sha256(fs.readFileSync(path.join(dir, 'greet/grader/run.py')))]);
    assert.deepEqual(after.fields, before.fields);
    assert.deepEqual(after.problems, before.problems);
    assert.deepEqual(after.counts.file_trees, before.counts.file_trees + 1);
  });

  it('replaces problems and graders, but keeps fields, exercises and modules it no longer names', async () => {
    const db = server.services.db;
    edit(dir, 'greet/exercise.yaml', '  - name: Notes for the checker\n    type: text\n    order: 2\n', '');
    edit(dir, 'greet/exercise.yaml', / {2}- name: fizzbuzz\n.*\n.*\n/, '');
    edit(dir, 'palindromes/exercise.yaml', /grader:[\s\S]*$/, '');
    fs.rmSync(path.join(dir, 'palindromes/grader'), { recursive: true });
    edit(dir, 'course.yaml', '      - name: Strings\n        order: 2\n', '      - name: Strings\n        order: 2\n      - name: Loops\n');
    const before = await snapshot(db);
    const report = await syncCourseDirectory(server.services, dir);
    assert.deepEqual(sum(report, 'problems'), { created: 0, updated: 0, unchanged: 3, deleted: 1 });
    assert.deepEqual(sum(report, 'graders'), { created: 0, updated: 0, unchanged: 1, deleted: 1 });
    assert.deepEqual(sum(report, 'modules'), { created: 1, updated: 0, unchanged: 2, deleted: 0 });
    assert.equal(sum(report, 'exercises').unchanged, 2);
    // greet's grader still declares a test named after the problem that is gone.
    assert.equal(report.warnings.length, 2);
    assert.match(report.warnings[0]!, /^field "Notes for the checker" \(id \d+\) of exercise "greet" is not in greet\/exercise.yaml; left as it is/);
    assert.equal(
      report.warnings[1],
      'exercise "greet" (greet/exercise.yaml): grader.tests names "fizzbuzz", which is not a problem of the exercise (its problems: "greet"); it scores nothing',
    );
    const after = await snapshot(db);
    assert.deepEqual(after.fields, before.fields);
    assert.deepEqual(after.problems.map((p) => p.name), ['greet', 'is_palindrome', 'reverse_words']);
    assert.equal(await server.services.graders.configFor(before.exercises[1]!.id), null);

    // An exercise folder and a module that disappear are reported, not deleted.
    fs.rmSync(path.join(dir, 'palindromes'), { recursive: true });
    edit(dir, 'course.yaml', '      - name: Loops\n', '');
    const gone = await syncCourseDirectory(server.services, dir);
    const warnings = gone.warnings.map((w) => w.replace(/\(id \d+\)/, '(id N)'));
    assert.deepEqual(warnings, [
      'module "PY/Loops" (id N) is not in course.yaml; left as it is',
      'field "Notes for the checker" (id N) of exercise "greet" is not in greet/exercise.yaml; left as it is (it may hold answers)',
      'exercise "greet" (greet/exercise.yaml): grader.tests names "fizzbuzz", which is not a problem of the exercise (its problems: "greet"); it scores nothing',
      'exercise "palindromes" (id N) is not in the directory; left as it is',
    ]);
    assert.equal((await snapshot(db)).counts.exercises, 2);
  });

  it('refuses an invalid directory, naming the file and key, and changes nothing', async () => {
    type Case = [name: string, breakIt: (d: string) => void, expected: Expected[], deps?: Partial<SyncDeps>];
    const cases: Case[] = [
      ['broken YAML', (d) => fs.writeFileSync(path.join(d, 'course.yaml'), 'slug: [unclosed\nname: x\n'), [['course.yaml', null, /^invalid YAML: .*line/]]],
      ['not a mapping', (d) => fs.writeFileSync(path.join(d, 'course.yaml'), '- just\n- a list\n'), [['course.yaml', null, /must hold a mapping of keys, not a list/]]],
      ['unknown module', (d) => edit(d, 'greet/exercise.yaml', 'module: PY/Functions', 'module: PY/Nope'), [['greet/exercise.yaml', 'module', /no module "PY\/Nope" in course.yaml \(known: PY\/Functions, PY\/Strings\)/]]],
      ['module without subject', (d) => edit(d, 'greet/exercise.yaml', 'module: PY/Functions', 'module: Functions'), [['greet/exercise.yaml', 'module', /must be "<subject symbol>\/<module name>"/]]],
      ['bad enum', (d) => edit(d, 'greet/exercise.yaml', 'patbas: On Done', 'patbas: Sometimes'), [['greet/exercise.yaml', 'patbas', /must be one of: Never, On Done, Always, Staff Only \(got "Sometimes"\)/]]],
      ['wrong type', (d) => edit(d, 'greet/exercise.yaml', 'download: true', 'download: yes'), [['greet/exercise.yaml', 'download', /must be true or false, not a string/]]],
      [
        'typo in a key',
        (d) => edit(d, 'greet/exercise.yaml', 'module: PY/Functions', 'modul: PY/Functions'),
        [['greet/exercise.yaml', 'modul', /unknown key/], ['greet/exercise.yaml', 'module', /is required/]],
      ],
      [
        'bad grader',
        (d) => {
          edit(d, 'greet/exercise.yaml', 'convention: native', 'convention: gradescope');
          edit(d, 'greet/exercise.yaml', 'command: [python3, run.py]', 'command: [python3, ""]');
          edit(d, 'greet/exercise.yaml', 'memory_mb: 256', 'memory_mb: 99999\n    wall_second: 3');
        },
        [
          ['greet/exercise.yaml', 'grader.convention', /"gradescope" is not a valid choice/],
          ['greet/exercise.yaml', 'grader.command[1]', /may not be blank/],
          ['greet/exercise.yaml', 'grader.limits.memory_mb', /less than or equal to 16384/],
          ['greet/exercise.yaml', 'grader.limits.wall_second', /unknown key/],
        ],
      ],
      ['empty command', (d) => edit(d, 'palindromes/exercise.yaml', 'command: [sh, run]', 'command: []'), [['palindromes/exercise.yaml', 'grader.command', /may not be empty/]]],
      ['tests not names', (d) => edit(d, 'greet/exercise.yaml', 'tests: [greet, fizzbuzz]', 'tests: [greet, 3]'), [['greet/exercise.yaml', 'grader.tests[1]', /must be non-blank text, not a number/]]],
      [
        'fields and problems',
        (d) => {
          edit(d, 'greet/exercise.yaml', 'type: number', 'type: essay');
          edit(d, 'greet/exercise.yaml', '    max_score: 60\n', '');
          edit(d, 'palindromes/exercise.yaml', '  - name: reverse_words', '  - name: is_palindrome');
        },
        [
          ['greet/exercise.yaml', 'fields[0].type', /must be one of: text, number, multiple, multiResponse/],
          ['greet/exercise.yaml', 'problems[1].max_score', /is required/],
          ['palindromes/exercise.yaml', 'problems[1].name', /duplicate problem name "is_palindrome"/],
        ],
      ],
      ['bad date', (d) => fs.appendFileSync(path.join(d, 'greet/exercise.yaml'), 'due_at: next friday\n'), [['greet/exercise.yaml', 'due_at', /ISO 8601/]]],
      ['symlink out', (d) => fs.symlinkSync('/etc/hostname', path.join(d, 'greet/handout/escape')), [['greet/handout/escape', null, /leaves the course directory/]]],
      ['broken symlink', (d) => fs.symlinkSync(path.join(d, 'nowhere'), path.join(d, 'greet/handout/dangling')), [['greet/handout/dangling', null, /broken symbolic link/]]],
      ['folder without exercise.yaml', (d) => fs.mkdirSync(path.join(d, 'notes')), [['notes/exercise.yaml', null, /file is missing/]]],
      ['unknown folder', (d) => fs.mkdirSync(path.join(d, 'greet/tests')), [['greet/tests', null, /unknown folder \(expected handout\/, solution\/, preview\/, patbas_preview\/, grader\/\)/]]],
      ['harness without grader section', (d) => edit(d, 'palindromes/exercise.yaml', /grader:[\s\S]*$/, ''), [['palindromes/grader', null, /needs a `grader:` section/]]],
      ['check_solution without solution', (d) => fs.rmSync(path.join(d, 'palindromes/solution'), { recursive: true }), [['palindromes/exercise.yaml', 'grader.check_solution', /needs a solution\/ folder/]]],
      ['duplicate slug', (d) => fs.appendFileSync(path.join(d, 'palindromes/exercise.yaml'), 'slug: greet\n'), [['palindromes/exercise.yaml', 'slug', /slug "greet" is also the slug of greet\//]]],
      [
        'folder name is no slug',
        (d) => fs.cpSync(path.join(d, 'greet'), path.join(d, 'Greet Again'), { recursive: true }),
        [['Greet Again/exercise.yaml', null, /the folder name "Greet Again" is not a valid slug; set `slug:`/]],
      ],
      ['unknown checker', (d) => fs.appendFileSync(path.join(d, 'course.yaml'), 'checker: nobody\n'), [['course.yaml', 'checker', /no user named "nobody"/]]],
      ['student checker', (d) => fs.appendFileSync(path.join(d, 'course.yaml'), 'checker: a-student\n'), [['course.yaml', 'checker', /"a-student" is a student/]]],
      [
        'course keys',
        (d) => {
          edit(d, 'course.yaml', 'slug: intro-python', 'slug: Intro Python');
          edit(d, 'course.yaml', 'symbol: PY', 'symbol: P/Y');
        },
        [
          ['course.yaml', 'slug', /lower-case letters, digits/],
          ['course.yaml', 'subjects[0].symbol', /may not contain "\/"/],
          // The exercises' modules name a subject that no longer exists.
          ['greet/exercise.yaml', 'module', /no module "PY\/Functions"/],
          ['palindromes/exercise.yaml', 'module', /no module "PY\/Strings"/],
        ],
      ],
      [
        'files over the upload limit',
        () => undefined,
        [['greet/grader/run.py', null, /is \d+ bytes, over the upload limit of 1000 bytes/], ['palindromes/grader/check.py', null, /over the upload limit of 1000 bytes/]],
        { config: { ...server.services.config, maxUploadBytes: 1000 } },
      ],
    ];
    await makeUser(server, 1, 'a-student');
    const before = await snapshot(server.services.db);
    for (const [name, breakIt, expected, deps] of cases) {
      const d = copyExample();
      // A real change too, so that "nothing changed" means something.
      fs.appendFileSync(path.join(d, 'greet/handout/README.md'), `\nchanged for ${name}\n`);
      breakIt(d);
      await refused(syncCourseDirectory({ ...server.services, ...deps }, d), expected);
      assert.deepEqual(await snapshot(server.services.db), before, name);
    }
    await refused(syncCourseDirectory(server.services, path.join(dir, 'no-such-folder')), [[path.join(dir, 'no-such-folder'), null, /is not a folder/]]);
  });
});

/** Runs an exercise's harness on one of its folders (the reference solution or the starter code), as the engine will, minus the sandbox. */
async function runHarness(exercise: string, command: string[], variant: 'solution' | 'handout'): Promise<RunOutput> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-harness-'));
  temps.push(work);
  fs.cpSync(path.join(EXAMPLE, exercise, 'grader'), work, { recursive: true });
  fs.cpSync(path.join(EXAMPLE, exercise, variant), work, { recursive: true });
  // The student's side runs through run_student, which copies the submission from .assay/submission.
  fs.cpSync(path.join(EXAMPLE, exercise, variant), path.join(work, '.assay/submission'), { recursive: true });
  fs.mkdirSync(path.join(work, '.assay/bin'), { recursive: true });
  fs.writeFileSync(path.join(work, '.assay/bin/run_student'), runStudentCommand(), { mode: 0o755 });
  const bin = `${path.join(work, '.assay/bin')}:${path.join(ROOT, 'src/grading/inginious-bin')}`;
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, ASSAY_FEEDBACK: path.join(work, '.assay/feedback') };
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(command[0]!, command.slice(1), { cwd: work, env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
  return {
    exitCode: code,
    signal: null,
    timedOut: false,
    memoryExceeded: false,
    outputTruncated: false,
    stdout,
    stderr,
    readFile: (p) => fs.promises.readFile(path.join(work, p)).catch(() => null),
  };
}

describe('the example course harnesses', { skip: SKIP_WITHOUT_BWRAP }, () => {
  after(() => {
    for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
  });

  it('native: greet passes the reference solution and fails the starter code', async () => {
    const plan = await readCourseDirectory(EXAMPLE, { maxFileBytes: 1 << 20 });
    const command = plan.exercises.find((e) => e.slug === 'greet')!.grader!.command;
    const good = await parseNativeResults(await runHarness('greet', command, 'solution'));
    assert.equal(good.outcome, 'success', good.log);
    assert.deepEqual([good.score, good.maxScore, good.staffError], [100, 100, false]);
    assert.deepEqual(good.tests.map((t) => [t.name, t.status, t.score]), [['greet', 'passed', 40], ['fizzbuzz', 'passed', 60]]);
    // The grading contract: the tests are the exercise's problems, each scored.
    assert.deepEqual(good.problems, { greet: { score: 40 }, fizzbuzz: { score: 60 } });
    assert.deepEqual(plan.exercises.find((e) => e.slug === 'greet')!.tests, ['greet', 'fizzbuzz']);
    const bad = await parseNativeResults(await runHarness('greet', command, 'handout'));
    assert.equal(bad.outcome, 'failed', bad.log);
    assert.deepEqual([bad.score, bad.maxScore, bad.staffError], [0, 100, false]);
    assert.deepEqual(bad.tests.map((t) => t.status), ['failed', 'failed']);
    assert.match(bad.tests[0]!.output, /NotImplementedError/);
  });

  it('INGInious: palindromes passes the reference solution and fails the starter code', async () => {
    const plan = await readCourseDirectory(EXAMPLE, { maxFileBytes: 1 << 20 });
    const command = plan.exercises.find((e) => e.slug === 'palindromes')!.grader!.command;
    const good = await parseInginiousResults(await runHarness('palindromes', command, 'solution'));
    assert.equal(good.outcome, 'success', good.log);
    assert.deepEqual([good.score, good.staffError, good.feedback], [100, false, 'All 2 problems solved.']);
    assert.deepEqual(good.problems, {
      is_palindrome: { result: 'success', feedback: 'is_palindrome: all 6 cases pass' },
      reverse_words: { result: 'success', feedback: 'reverse_words: all 4 cases pass' },
    });
    const bad = await parseInginiousResults(await runHarness('palindromes', command, 'handout'));
    assert.equal(bad.outcome, 'failed', bad.log);
    assert.deepEqual([bad.score, bad.staffError, bad.feedback], [0, false, '0 of 2 problems solved.']);
    assert.deepEqual([bad.problems.is_palindrome?.result, bad.problems.reverse_words?.result], ['failed', 'failed']);
    assert.match(bad.problems.is_palindrome!.feedback!, /returned False, expected True/);
  });
});

describe('assay course sync (CLI)', () => {
  let fresh: FreshDatabase;

  before(() => {
    fresh = freshDatabase();
  });
  after(async () => {
    await fresh.cleanup();
    for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
  });

  it('syncs the example course, then finds nothing to change', async () => {
    const first = await runCli(['course', 'sync', 'examples/intro-python'], fresh.env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^created admin account "admin" with password: \S+\n/);
    assert.match(first.stdout, /synced course "intro-python" \(id \d+\) from examples\/intro-python\n/);
    assert.match(first.stdout, /\n {2}exercises {2}2 created, 0 updated, 0 unchanged\n/);
    assert.match(first.stdout, /\n {2}graders {4}2 created, 0 updated, 0 unchanged, 0 deleted\n/);
    assert.doesNotMatch(first.stdout, /nothing changed/);

    const second = await runCli(['course', 'sync', 'examples/intro-python'], { ...fresh.env, ASSAY_PUBLIC_URL: 'https://assay.example.org/' });
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stdout, /password/);
    assert.match(second.stdout, /\n {2}exercises {2}0 created, 0 updated, 2 unchanged\n/);
    assert.match(second.stdout, /\nnothing changed\n$/);

    const runtime = await openRuntime(loadConfig(fresh.env));
    try {
      const exercises = await runtime.services.db.selectFrom('exercises').select(['id', 'slug']).orderBy('id').execute();
      assert.deepEqual(exercises.map((e) => e.slug), ['greet', 'palindromes']);
      // Each exercise with its id and where it takes submissions (ASSAY_PUBLIC_URL, or the local server).
      const submitLines = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('exercise '));
      assert.deepEqual(
        submitLines(first.stdout),
        exercises.map((e) => `exercise ${e.slug} (id ${e.id}): submit with POST http://localhost:8080/api/assay/v1/exercises/${e.id}/submissions/`),
      );
      assert.deepEqual(
        submitLines(second.stdout),
        exercises.map((e) => `exercise ${e.slug} (id ${e.id}): submit with POST https://assay.example.org/api/assay/v1/exercises/${e.id}/submissions/`),
      );
      const config = await runtime.services.graders.configFor(exercises[1]!.id);
      assert.deepEqual([config?.convention, config?.command], ['inginious', ['sh', 'run']]);
    } finally {
      await runtime.close();
    }
  });

  it('reports every problem of an invalid directory with exit code 1, changing nothing', async () => {
    const d = copyExample();
    edit(d, 'greet/exercise.yaml', 'module: PY/Functions', 'module: PY/Nope');
    edit(d, 'palindromes/exercise.yaml', 'wall_seconds: 30', 'wall_seconds: 0');
    edit(d, 'course.yaml', 'name: Introduction to Python', 'name: Renamed');
    const bad = await runCli(['course', 'sync', d], fresh.env);
    assert.equal(bad.code, 1, bad.stdout);
    assert.equal(bad.stdout, '');
    assert.equal(
      bad.stderr,
      `assay: ${d} was not synced (nothing changed): 2 problems\n` +
        '  greet/exercise.yaml: module: no module "PY/Nope" in course.yaml (known: PY/Functions, PY/Strings)\n' +
        '  palindromes/exercise.yaml: grader.limits.wall_seconds: Ensure this value is greater than or equal to 1.\n',
    );
    const after = await runCli(['course', 'sync', 'examples/intro-python'], fresh.env);
    assert.match(after.stdout, /\nnothing changed\n$/);
  });

  it('names the mistake of an incomplete command in one line, exit 2', async () => {
    const [none, noDir, other] = await Promise.all([
      runCli(['course'], fresh.env),
      runCli(['course', 'sync'], fresh.env),
      runCli(['course', 'frobnicate', 'examples/intro-python'], fresh.env),
    ]);
    for (const r of [none, noDir, other]) assert.equal(r.code, 2);
    assert.match(none.stderr, /^assay: missing subcommand for "course" \([^)]*\bsync\b[^)]*\)\n$/);
    assert.equal(noDir.stderr, 'assay: missing DIR for "course sync"\n');
    assert.equal(other.stderr, 'assay: unknown command "course frobnicate"\n');
  });
});
