import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openRuntime } from '../src/runtime.ts';
import { ROOT, runCli, spawnCli } from './helpers/cli.ts';
import type { FreshDatabase } from './helpers/fresh-db.ts';
import { freshDatabase } from './helpers/fresh-db.ts';
import { call } from './helpers/http.ts';
import { freePort } from './helpers/ports.ts';

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

const login = (app: Awaited<ReturnType<typeof buildApp>>, username: string, password: string) =>
  call(app, 'POST', '/api/core/token/', { json: { username, password } });

describe('assay CLI', () => {
  let fresh: FreshDatabase;
  let adminPassword = '';

  before(() => {
    fresh = freshDatabase();
  });
  after(() => fresh.cleanup());

  it('answers a usage mistake with exit 2 and one line naming it, before touching the database', async () => {
    const mistakes: [string[], string][] = [
      [[], 'missing command'],
      [['frobnicate'], 'unknown command "frobnicate"'],
      [['user'], 'missing subcommand for "user" (create, edit, passwd, token, list)'],
      [['user', 'frob', 'eve'], 'unknown command "user frob"'],
      [['user', 'create', 'eve', '--x', '1'], 'unknown option --x for "user create"'],
      [['migrate', '--port', '80'], 'unknown option --port for "migrate"'],
      [['user', 'list', '--password', 'p'], 'unknown option --password for "user list"'],
      [['--port', '80', 'serve'], 'unknown option --port'],
      [['user', 'create', 'eve', '--password'], 'missing value of --password for "user create"'],
      [['user', 'create', 'eve', '--password', '--clearance', '2'], 'missing value of --password for "user create"'],
      [['user', 'create', '--password', 'p'], 'missing USERNAME for "user create"'],
      [['user', 'list', 'eve'], 'unexpected argument "eve" for "user list"'],
      [['oauth', 'client', 'create', 'app', '--scopes', 'user_info'], 'missing --redirect-uri for "oauth client create"'],
      [['serve', '--port', 'eighty'], '--port must be a port number'],
      [['serve', '--help=yes'], '--help takes no value for "serve"'],
    ];
    const results = await Promise.all(mistakes.map(([args]) => runCli(args, fresh.env)));
    mistakes.forEach(([args, message], i) => {
      assert.deepEqual([results[i]!.code, results[i]!.stderr, results[i]!.stdout], [2, `assay: ${message}\n`, ''], args.join(' '));
    });
    assert.equal(fs.existsSync(path.join(fresh.dataDir, 'assay.db')), false, 'no database was opened');
  });

  it('prints its usage, a command\'s usage and its version', async () => {
    const [help, commandHelp, version] = await Promise.all([runCli(['--help'], fresh.env), runCli(['user', 'create', '--help'], fresh.env), runCli(['--version'], fresh.env)]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: assay <command> \[options\]/);
    assert.match(help.stdout, /\n {2}oauth client create NAME --redirect-uri URI \[--redirect-uri URI …\] --scopes /);
    assert.equal(commandHelp.code, 0);
    assert.match(commandHelp.stdout, /^usage: assay user create USERNAME \[--password P\] \[--clearance 1\|2\|3\|5\]/);
    const { version: expected } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.deepEqual([version.code, version.stdout], [0, `assay ${expected}\n`]);
  });

  it('names the variable of a bad environment value', async () => {
    const [level, url] = await Promise.all([
      runCli(['migrate'], { ...fresh.env, ASSAY_LOG_LEVEL: 'bogus' }),
      runCli(['migrate'], { ...fresh.env, ASSAY_PUBLIC_URL: 'notaurl' }),
    ]);
    assert.deepEqual([level.code, level.stderr], [1, 'assay: ASSAY_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "bogus"\n']);
    assert.deepEqual([url.code, url.stderr], [1, 'assay: ASSAY_PUBLIC_URL must be an http(s) URL such as https://assay.example.org, got "notaurl"\n']);
  });

  it('migrate prints the generated admin password once', async () => {
    const first = await runCli(['migrate'], fresh.env);
    assert.equal(first.code, 0, first.stderr);
    const match = /created admin account "admin" with password: (\S+)/.exec(first.stdout);
    assert.ok(match, first.stdout);
    adminPassword = match[1]!;
    assert.ok(adminPassword.length >= 12);
    assert.match(first.stdout, /database is up to date/);

    const second = await runCli(['migrate'], fresh.env);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout.trim(), 'database is up to date');
    assert.doesNotMatch(second.stdout, /password/);
  });

  it('creates, lists, re-passwords users and prints tokens that work', async () => {
    const created = await runCli(['user', 'create', 'bob', '--password', 'x', '--clearance', '2', '--first-name', 'Bob', '--last-name', 'Builder'], fresh.env);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^created user bob \(id \d+, clearance 2\)\n$/);

    const generated = await runCli(['user', 'create', 'carol'], fresh.env);
    assert.equal(generated.code, 0, generated.stderr);
    const carolPassword = /\npassword: (\S+)\n/.exec(generated.stdout)?.[1];
    assert.ok(carolPassword, generated.stdout);

    const list = await runCli(['user', 'list'], fresh.env);
    assert.equal(list.code, 0, list.stderr);
    const rows = list.stdout
      .replace(/\n$/, '')
      .split('\n')
      .map((line) => line.split('\t').slice(1));
    assert.deepEqual(rows, [
      ['admin', 'clearance 5', 'Admin'],
      ['bob', 'clearance 2', 'Bob Builder'],
      ['carol', 'clearance 1', ''],
    ]);

    const passwd = await runCli(['user', 'passwd', 'bob', '--password', 'y'], fresh.env);
    assert.equal(passwd.code, 0, passwd.stderr);
    assert.equal(passwd.stdout.trim(), 'password of bob changed');

    const token = await runCli(['user', 'token', 'bob', '--name', 'ci'], fresh.env);
    assert.equal(token.code, 0, token.stderr);
    const secret = token.stdout.trim();
    assert.match(secret, /^assay_\S+$/);

    await withServer(fresh.env, async (app) => {
      const tags = await call(app, 'GET', '/api/core/tags/', { token: secret });
      assert.equal(tags.status, 200, tags.text);
      assert.deepEqual(tags.body, []);
      assert.equal((await call(app, 'GET', '/api/core/tags/', { token: secret.slice(0, -2) + 'zz' })).status, 401);
      const tokens = await call(app, 'GET', '/api/assay/v1/tokens/', { token: secret });
      assert.deepEqual(
        tokens.body.map((t: { name: string }) => t.name),
        ['ci'],
      );
      assert.equal((await login(app, 'bob', 'y')).status, 200);
      assert.equal((await login(app, 'bob', 'x')).status, 401);
      assert.equal((await login(app, 'carol', carolPassword)).status, 200);
      assert.equal((await login(app, 'admin', adminPassword)).status, 200);
    });
  });

  it('sets an email at creation and edits email and names with user edit', async () => {
    const created = await runCli(['user', 'create', 'erin', '--password', 'e', '--email', 'erin@example.org'], fresh.env);
    assert.equal(created.code, 0, created.stderr);
    const edited = await runCli(['user', 'edit', 'erin', '--email', 'Erin.B@example.org', '--first-name', 'Erin', '--last-name', 'Brown'], fresh.env);
    assert.equal(edited.code, 0, edited.stderr);
    assert.equal(edited.stdout, 'erin: email Erin.B@example.org, name Erin Brown\n');
    const [taken, malformed, nothing, nobody] = await Promise.all([
      runCli(['user', 'create', 'frank', '--email', 'erin.b@EXAMPLE.org'], fresh.env),
      runCli(['user', 'edit', 'erin', '--email', 'erin at example'], fresh.env),
      runCli(['user', 'edit', 'erin'], fresh.env),
      runCli(['user', 'edit', 'nobody', '--email', 'n@example.org'], fresh.env),
    ]);
    assert.deepEqual([taken.code, taken.stderr], [1, 'assay: A user with that email already exists.\n']);
    assert.deepEqual([malformed.code, malformed.stderr], [1, 'assay: Enter a valid email address.\n']);
    assert.deepEqual([nothing.code, nothing.stderr], [1, 'assay: give at least one of --email, --first-name, --last-name\n']);
    assert.deepEqual([nobody.code, nobody.stderr], [1, 'assay: No user named nobody.\n']);
    await withServer(fresh.env, async (app) => {
      const access = (await login(app, 'erin', 'e')).body.access as string;
      const me = await call(app, 'GET', '/api/assay/v1/users/me/', { token: access });
      assert.deepEqual([me.body.email, me.body.first_name, me.body.last_name], ['Erin.B@example.org', 'Erin', 'Brown']);
    });
    const cleared = await runCli(['user', 'edit', 'erin', '--email', ''], fresh.env);
    assert.equal(cleared.stdout, 'erin: email (none), name Erin Brown\n');
    assert.doesNotMatch((await runCli(['user', 'list'], fresh.env)).stdout, /frank/);
  });

  it('refuses bad input with a message and a non-zero exit', async () => {
    // Independent runs, started together: each CLI start costs a second or two.
    const [badClearance, wordClearance, dup, nobody, noToken, noName, badPort, badEnv] = await Promise.all([
      runCli(['user', 'create', 'dave', '--clearance', '4'], fresh.env),
      runCli(['user', 'create', 'dave', '--clearance', 'staff'], fresh.env),
      runCli(['user', 'create', 'bob', '--password', 'z'], fresh.env),
      runCli(['user', 'passwd', 'nobody', '--password', 'z'], fresh.env),
      runCli(['user', 'token', 'nobody'], fresh.env),
      runCli(['user', 'create'], fresh.env),
      runCli(['serve', '--port', 'eighty'], fresh.env),
      runCli(['migrate'], { ...fresh.env, ASSAY_MAX_BODY_BYTES: 'lots' }),
    ]);
    for (const bad of [badClearance, wordClearance]) {
      assert.equal(bad.code, 2);
      assert.equal(bad.stderr, 'assay: --clearance must be 1, 2, 3 or 5\n');
    }
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /^assay: A user with that username already exists\./);
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /^assay: .*nobody/);
    assert.equal(noToken.code, 1);
    assert.equal(noToken.stderr, 'assay: no user named nobody\n');
    assert.deepEqual([noName.code, noName.stderr], [2, 'assay: missing USERNAME for "user create"\n']);
    assert.equal(badPort.code, 2);
    assert.equal(badPort.stderr, 'assay: --port must be a port number\n');
    assert.equal(badEnv.code, 1);
    assert.equal(badEnv.stderr, 'assay: ASSAY_MAX_BODY_BYTES must be a whole number, got "lots"\n');

    const list = await runCli(['user', 'list'], fresh.env);
    assert.doesNotMatch(list.stdout, /dave/);
  });
});

describe('assay serve', () => {
  let fresh: FreshDatabase;

  before(() => {
    fresh = freshDatabase();
  });
  after(() => fresh.cleanup());

  /** Starts `assay serve`, waits until /healthz answers, returns the process and what it printed. */
  async function serve(port: number) {
    const child = spawnCli(['serve'], { ...fresh.env, PORT: String(port), HOST: '127.0.0.1' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // From the sources through tsx, on a busy machine, a start can take most of a minute.
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`serve exited early with ${child.exitCode}: ${stderr}`);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
      if (health) return { child, exited, health: { status: health.status, body: await health.json() }, output: () => stdout };
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`serve did not answer within 90 s: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('answers /healthz, prints the admin password on first start only, and stops on SIGTERM', async () => {
    const port = await freePort();
    const first = await serve(port);
    try {
      assert.equal(first.health.status, 200);
      assert.equal(first.health.body.status, 'ok');
      const password = /Its password \(shown only this once\): (\S+)/.exec(first.output())?.[1];
      assert.ok(password, first.output());
      const token = await fetch(`http://127.0.0.1:${port}/api/core/token/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password }),
      });
      assert.equal(token.status, 200);
      const { access } = (await token.json()) as { access: string };
      const tags = await fetch(`http://127.0.0.1:${port}/api/core/tags/`, { headers: { authorization: `Bearer ${access}` } });
      assert.equal(tags.status, 200);
    } finally {
      first.child.kill('SIGTERM');
    }
    assert.equal(await first.exited, 0);
    assert.equal(await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null), null, 'the port is closed');

    const second = await serve(port);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
    assert.doesNotMatch(second.output(), /password/);
  });

  it('exits 1 with a message when its port is taken', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as net.AddressInfo;
    try {
      const child = spawnCli(['serve'], { ...fresh.env, PORT: String(port), HOST: '127.0.0.1' });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // A server that cannot listen but keeps running never exits: stop waiting after two minutes
      // (a first start migrates a fresh PostgreSQL schema, which takes a while on a busy machine).
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      clearTimeout(timer);
      assert.equal(code, 1, stderr);
      assert.match(stderr, new RegExp(`^assay: cannot listen on 127\\.0\\.0\\.1:${port}: the port is already in use`, 'm'));
    } finally {
      taken.close();
    }
  });
});
