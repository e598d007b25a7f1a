import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openRuntime } from '../src/runtime.ts';
import { ROOT, runCli } from './helpers/cli.ts';
import type { FreshDatabase } from './helpers/fresh-db.ts';
import { freshDatabase } from './helpers/fresh-db.ts';
import { call } from './helpers/http.ts';

/** Runs `fn` against an in-process server on the same database the CLI used. */
async function withServer<T>(env: Record<string, string>, fn: (app: Awaited<ReturnType<typeof buildApp>>) => Promise<T>): Promise<T> {
  const runtime = await openRuntime(loadConfig(env));
  const app = await buildApp(runtime.services, { logger: false });
  try {
    return await fn(app);
  } finally {
    await app.close();
    await runtime.close();
  }
}

const signsIn = async (env: Record<string, string>, username: string, password: string) =>
  withServer(env, async (app) => (await call(app, 'POST', '/api/core/token/', { json: { username, password } })).status === 200);

describe('assay course enroll, course roster and a course directory roster.csv', () => {
  let fresh: FreshDatabase;
  let dir: string;
  const file = (name: string, text: string) => {
    const p = path.join(dir, '..', name);
    fs.writeFileSync(p, text);
    return p;
  };

  before(() => {
    fresh = freshDatabase();
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'assay-roster-')), 'course');
    fs.cpSync(path.join(ROOT, 'examples/intro-python'), dir, { recursive: true });
  });
  after(async () => {
    await fresh.cleanup();
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  it('syncs a course with roster.csv: refused whole on a bad row, then members and printed passwords, then nothing changed', async () => {
    fs.writeFileSync(path.join(dir, 'roster.csv'), 'username,email,first_name,last_name,role\nsam,sam@example.org,Sam,S,student\nbad name,,,,student\ntia,,,,professor\n');
    const refused = await runCli(['course', 'sync', dir], fresh.env);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stderr, /2 problems\n {2}roster\.csv: line 3, username: .*\n {2}roster\.csv: line 4, role: "professor" is not a role/);
    fs.writeFileSync(path.join(dir, 'roster.csv'), 'username,email,first_name,last_name,role\nsam,sam@example.org,Sam,S,student\ntia,,Tia,T,checker\n');
    const synced = await runCli(['course', 'sync', dir], fresh.env);
    assert.equal(synced.code, 0, synced.stderr);
    assert.match(synced.stdout, /\n {2}members {4}2 new accounts, 0 enrolled, 0 changed, 0 unchanged\n/);
    const password = /new account sam \(student\), password: (\S+)\n/.exec(synced.stdout)?.[1];
    assert.ok(password, synced.stdout);
    assert.ok(await signsIn(fresh.env, 'sam', password));
    const again = await runCli(['course', 'sync', dir], fresh.env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /members {4}0 new accounts, 0 enrolled, 0 changed, 2 unchanged\n/);
    assert.match(again.stdout, /nothing changed/);
    assert.doesNotMatch(again.stdout, /password/);
  });

  it('enrols existing accounts with a role, and refuses unknown users, courses and usage mistakes', async () => {
    const created = await runCli(['user', 'create', 'uma', '--clearance', '1', '--password', 'p'], fresh.env);
    assert.equal(created.code, 0, created.stderr);
    const [enrolled, unknown, noCourse, noUser, noRole, badRole] = await Promise.all([
      runCli(['course', 'enroll', 'intro-python', 'uma', 'sam', '--role', 'checker'], fresh.env),
      runCli(['course', 'enroll', 'intro-python', 'uma', 'ghost', '--role', 'student'], fresh.env),
      runCli(['course', 'enroll', 'no-such-course', 'uma', '--role', 'student'], fresh.env),
      runCli(['course', 'enroll', 'intro-python', '--role', 'student'], fresh.env),
      runCli(['course', 'enroll', 'intro-python', 'uma'], fresh.env),
      runCli(['course', 'enroll', 'intro-python', 'uma', '--role', 'boss'], fresh.env),
    ]);
    assert.deepEqual([enrolled.code, enrolled.stdout], [0, 'sam\tchecker\numa\tchecker\n'], enrolled.stderr);
    assert.deepEqual([unknown.code, unknown.stderr], [1, 'assay: nobody was enrolled in intro-python\n  usernames.1: No user named "ghost".\n']);
    assert.deepEqual([noCourse.code, noCourse.stderr], [1, 'assay: No course "no-such-course".\n']);
    assert.deepEqual([noUser.code, noUser.stderr], [2, 'assay: missing USER… for "course enroll"\n']);
    assert.deepEqual([noRole.code, noRole.stderr], [2, 'assay: missing --role for "course enroll"\n']);
    assert.equal(badRole.code, 1);
    assert.match(badRole.stderr, /role: "boss" is not a role/);
  });

  it('imports a roster file: a preview writes nothing, a bad file lists every problem, then new accounts get one-time passwords', async () => {
    const good = file('good.csv', 'username,email,role\nvic,vic@example.org,\numa,,student\n');
    const bad = file('bad.csv', 'username,email,role\nvic,vic@example.org,\nvic,,student\nwes,sam@EXAMPLE.org,student\n');
    const [preview, refused, missing] = await Promise.all([
      runCli(['course', 'roster', 'intro-python', good, '--preview'], fresh.env),
      runCli(['course', 'roster', 'intro-python', bad], fresh.env),
      runCli(['course', 'roster', 'intro-python', path.join(dir, 'nope.csv')], fresh.env),
    ]);
    assert.deepEqual([preview.code, preview.stdout], [0, 'line 2: vic\tstudent\tnew account\nline 3: uma\tstudent\tchanged\npreview of 2 rows: nothing written\n'], preview.stderr);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, `assay: ${bad} was not imported (nothing changed): 2 problems\n  line 3, username: is also on line 2\n  line 4, email: belongs to another account\n`);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^assay: cannot read .*nope\.csv: ENOENT\n$/);
    assert.equal((await runCli(['user', 'list'], fresh.env)).stdout.includes('vic'), false);
    const applied = await runCli(['course', 'roster', 'intro-python', good], fresh.env);
    assert.equal(applied.code, 0, applied.stderr);
    const password = /^line 2: vic\tstudent\tnew account\tpassword: (\S+)\n/.exec(applied.stdout)?.[1];
    assert.ok(password, applied.stdout);
    assert.match(applied.stdout, /line 3: uma\tstudent\tchanged\nintro-python: 2 rows applied\n$/);
    assert.ok(await signsIn(fresh.env, 'vic', password));
  });
});
