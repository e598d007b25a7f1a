import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AssayError } from '../../src/core/errors.ts';
import { HeadTailCapture, measureSandboxOverhead, runStudentCommand, Sandbox } from '../../src/grading/sandbox/index.ts';
import { buildNative } from '../../src/grading/sandbox/native.ts';
import { startTsWorker } from '../../src/grading/thread/ts-worker.ts';
import { describeRun, SKIP_WITHOUT_BWRAP, testSandbox } from './sandbox-helpers.ts';

describe('HeadTailCapture', () => {
  it('keeps everything under the limit', () => {
    const c = new HeadTailCapture(10);
    c.push(Buffer.from('abc'));
    c.push(Buffer.from('defghij'));
    assert.equal(c.text(), 'abcdefghij');
    assert.equal(c.truncated, false);
    assert.equal(c.bytesWritten, 10);
  });

  it('keeps the first and the last half of the limit with a marker between', () => {
    const c = new HeadTailCapture(10);
    c.push(Buffer.from('0123456789ABCDEFGHIJ'));
    assert.equal(c.text(), '01234\n…[10 bytes truncated]…\nFGHIJ');
    assert.equal(c.truncated, true);
    assert.equal(c.bytesWritten, 20);
  });

  it('gives the same answer whatever the chunking', () => {
    const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(''));
    const whole = new HeadTailCapture(333);
    whole.push(data);
    for (const size of [1, 7, 100, 166, 167, 400]) {
      const c = new HeadTailCapture(333);
      for (let i = 0; i < data.length; i += size) c.push(data.subarray(i, i + size));
      assert.equal(c.text(), whole.text(), `chunk size ${size}`);
    }
    assert.ok(whole.text().startsWith(data.subarray(0, 166).toString()));
    assert.ok(whole.text().endsWith(data.subarray(data.length - 167).toString()));
    assert.ok(whole.text().includes(`…[${5000 - 333} bytes truncated]…`));
  });

  it('with a limit of 0 keeps nothing but says how much was dropped', () => {
    const c = new HeadTailCapture(0);
    c.push(Buffer.from('hello'));
    assert.equal(c.text(), '\n…[5 bytes truncated]…\n');
  });
});

describe("the sandbox's C programs (broker, run_student)", () => {
  it("are built with the machine's C compiler; without one the build says why", () => {
    const built = buildNative();
    assert.equal(built.reason, null);
    assert.ok(fs.statSync(built.programs!.broker).mode & 0o111);
    assert.deepEqual(runStudentCommand(), fs.readFileSync(built.programs!.runStudent));
    const cc = process.env.CC;
    process.env.CC = '/nonexistent/cc';
    try {
      const none = buildNative();
      assert.equal(none.programs, null);
      assert.match(none.reason ?? '', /cannot compile the sandbox's broker\.c with \/nonexistent\/cc/);
    } finally {
      if (cc === undefined) delete process.env.CC;
      else process.env.CC = cc;
    }
  });

  it('without them, run_student is the nested script and `auto` separates by a nested sandbox, saying why', { skip: SKIP_WITHOUT_BWRAP }, () => {
    const root = path.join(os.tmpdir(), `assay-sandbox-nocc-${process.pid}`);
    const code = [
      `import { runStudentCommand, Sandbox } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../src/grading/sandbox/index.ts'))};`,
      `const box = new Sandbox({ root: ${JSON.stringify(root)} });`,
      'const status = await box.status();',
      'await box.close();',
      'console.log(JSON.stringify({ head: runStudentCommand().subarray(0, 11).toString(), available: status.available, reason: status.reason, separation: status.separation, notes: status.notes }));',
    ].join('\n');
    try {
      const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
        env: { ...process.env, CC: '/nonexistent/cc', ASSAY_SANDBOX_SEPARATION: 'auto' },
        encoding: 'utf8',
        timeout: 120_000,
      });
      assert.equal(child.status, 0, child.stderr);
      const seen = JSON.parse(child.stdout.trim().split('\n').pop()!) as { head: string; available: boolean; reason: string | null; separation: string; notes: string[] };
      assert.equal(seen.head, '#!/bin/bash');
      assert.equal(seen.available, true, seen.reason ?? '');
      assert.equal(seen.separation, 'nested');
      if (process.getuid?.() === 0) assert.ok(seen.notes.some((n) => /nested sandbox, not by uid: cannot compile/.test(n)), seen.notes.join('\n'));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('sandbox unavailable', () => {
  it('throws `unavailable` when bwrap is missing and never runs the command', async () => {
    const marker = path.join(os.tmpdir(), `assay-never-${process.pid}`);
    const box = new Sandbox({ bwrapPath: null, root: path.join(os.tmpdir(), `assay-sandbox-unavail-${process.pid}`) });
    await assert.rejects(
      box.run({ files: [], command: ['touch', marker] }),
      (err: unknown) => err instanceof AssayError && err.kind === 'unavailable' && /bwrap/.test(err.message),
    );
    assert.equal(fs.existsSync(marker), false);
    const status = await box.status();
    assert.equal(status.available, false);
    assert.match(status.reason ?? '', /not installed/);
    assert.equal(await box.available(), false);
  });

  it('throws `unavailable` when the given bwrap does not work', { skip: SKIP_WITHOUT_BWRAP }, async () => {
    const box = testSandbox({ bwrapPath: '/nonexistent/bwrap' });
    try {
      await assert.rejects(box.run({ files: [], command: ['true'] }), (err: unknown) => err instanceof AssayError && err.kind === 'unavailable');
      assert.equal(await box.available(), false);
    } finally {
      await box.dispose();
    }
  });
});

describe('sandbox start', { skip: SKIP_WITHOUT_BWRAP }, () => {
  it('removes work dirs that crashed processes left behind, and only those', async () => {
    const gone = spawnSync('true').pid!;
    const box = testSandbox();
    try {
      fs.mkdirSync(box.root, { recursive: true, mode: 0o711 });
      const stale = path.join(box.root, `run-${gone}-abc123`);
      const live = path.join(box.root, `run-${process.pid}-abc123`);
      for (const dir of [stale, live]) {
        fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
        fs.writeFileSync(path.join(dir, 'sub', 'f'), 'x');
      }
      assert.equal(await box.available(), true);
      assert.equal(fs.existsSync(stale), false);
      assert.equal(fs.existsSync(live), true);
    } finally {
      await box.dispose();
    }
  });
});

describe('sandbox runs', { skip: SKIP_WITHOUT_BWRAP }, () => {
  const box = testSandbox();
  let hostFile: string;

  before(async () => {
    hostFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'assay-src-')), 'tool.sh');
    fs.writeFileSync(hostFile, '#!/bin/sh\necho tool ran "$@"\n', { mode: 0o755 });
    assert.equal(await box.available(), true, (await box.status()).reason ?? '');
  });
  after(async () => {
    await box.dispose();
    fs.rmSync(path.dirname(hostFile), { recursive: true, force: true });
  });

  it('reports which cgroup driver is active', async () => {
    const status = await box.status();
    assert.ok(['v1', 'v2', 'none'].includes(status.cgroupDriver ?? ''), JSON.stringify(status));
    assert.equal(status.bwrap !== null, true);
  });

  it('lays out the files, runs in /work and captures stdout, stderr and the exit code separately', async () => {
    const r = await box.run({
      files: [
        { path: 'grade.sh', content: 'echo "out:$(cat data/input.txt)"; echo "err:$PWD" >&2; ./bin/tool.sh x; exit 7\n' },
        { path: 'data/input.txt', content: Buffer.from('forty-two') },
        { path: 'bin/tool.sh', sourceFile: hostFile },
      ],
      command: ['sh', 'grade.sh'],
    });
    try {
      assert.equal(r.exitCode, 7, describeRun(r));
      assert.equal(r.signal, null);
      assert.equal(r.stdout, 'out:forty-two\ntool ran x\n');
      assert.equal(r.stderr, 'err:/work\n');
      assert.equal(r.stdoutBytes, 'out:forty-two\ntool ran x\n'.length);
      assert.equal(r.timedOut, false);
      assert.equal(r.outputTruncated, false);
      assert.ok(r.wallMs > 0 && r.wallMs < 10_000);
      assert.ok(r.workDir.startsWith(box.root + path.sep));
      assert.equal(fs.readFileSync(path.join(r.workDir, 'data/input.txt'), 'utf8'), 'forty-two');
    } finally {
      await r.cleanup();
    }
    assert.equal(fs.existsSync(r.workDir), false);
    await r.cleanup(); // idempotent
  });

  it('accepts a Map of files, stdin and extra environment variables, and nothing else of the host environment', async () => {
    process.env.ASSAY_SANDBOX_TEST_SECRET = 'host-only';
    try {
      const r = await box.run({
        files: new Map([['a.txt', 'A']]),
        command: ['sh', '-c', 'cat a.txt; echo; cat; echo; echo "$GREETING"; env | sort'],
        env: { GREETING: 'hello there' },
        stdin: 'from stdin',
      });
      await r.cleanup();
      const lines = r.stdout.split('\n');
      assert.deepEqual(lines.slice(0, 3), ['A', 'from stdin', 'hello there'], describeRun(r));
      const env = lines.slice(3).filter(Boolean);
      assert.deepEqual(env.map((l) => l.split('=')[0]).sort(), ['GREETING', 'HOME', 'LANG', 'PATH', 'PWD', 'TMPDIR']);
      assert.ok(env.includes('HOME=/work'));
      assert.ok(env.includes('LANG=C.UTF-8'));
      assert.doesNotMatch(r.stdout, /host-only/);
    } finally {
      delete process.env.ASSAY_SANDBOX_TEST_SECRET;
    }
  });

  it('reports a death by signal as a signal, not as exit code 128+N', async () => {
    const r = await box.run({ files: [], command: ['sh', '-c', 'kill -TERM $$'] });
    await r.cleanup();
    assert.equal(r.exitCode, null, describeRun(r));
    assert.equal(r.signal, 'SIGTERM');
    assert.equal(r.timedOut, false);
  });

  it('keeps the work dir until cleanup and reads result files safely', async () => {
    const r = await box.run({
      files: [],
      command: [
        'sh',
        '-c',
        'echo \'{"score": 1}\' > results.json; mkdir -p out; echo inner > out/r.txt; ln -s /etc/passwd leak; ln -s ../../.. up; mkfifo pipe; head -c 5000 /dev/zero > big',
      ],
    });
    try {
      assert.equal(r.exitCode, 0, describeRun(r));
      assert.equal((await r.readFile('results.json'))?.toString(), '{"score": 1}\n');
      assert.equal((await r.readFile('out/r.txt'))?.toString(), 'inner\n');
      assert.equal(await r.readFile('missing.json'), null);
      // The harness's symlinks point into the sandbox's world; on the host they must not be followed out.
      await assert.rejects(r.readFile('leak'), (e: unknown) => e instanceof AssayError && e.kind === 'invalid');
      await assert.rejects(r.readFile('up/etc/passwd'), (e: unknown) => e instanceof AssayError && e.kind === 'invalid');
      await assert.rejects(r.readFile('pipe'), (e: unknown) => e instanceof AssayError && e.kind === 'invalid');
      await assert.rejects(r.readFile('big', 4000), (e: unknown) => e instanceof AssayError && e.kind === 'too_large');
      assert.equal((await r.readFile('big', 5000))?.length, 5000);
      await assert.rejects(r.readFile('../x'), (e: unknown) => e instanceof AssayError && e.kind === 'invalid');
      await assert.rejects(r.readFile('/etc/passwd'), (e: unknown) => e instanceof AssayError && e.kind === 'invalid');
    } finally {
      await r.cleanup();
    }
  });

  it('rejects bad input with `invalid` before running anything, leaving no work dir', async () => {
    const before = fs.readdirSync(box.root).filter((n) => n.startsWith('run-')).length;
    const invalid = (e: unknown) => e instanceof AssayError && e.kind === 'invalid';
    await assert.rejects(box.run({ files: [{ path: '../escape', content: 'x' }], command: ['true'] }), invalid);
    await assert.rejects(box.run({ files: [{ path: '/abs', content: 'x' }], command: ['true'] }), invalid);
    await assert.rejects(box.run({ files: [{ path: 'a/./b', content: 'x' }], command: ['true'] }), invalid);
    await assert.rejects(
      box.run({ files: [{ path: 'a', content: 'x' }, { path: 'a', content: 'y' }], command: ['true'] }),
      (e: unknown) => invalid(e) && (e as AssayError).details.fields?.[0]?.code === 'unique',
    );
    await assert.rejects(box.run({ files: [{ path: 'a', content: 'x' }, { path: 'a/b', content: 'y' }], command: ['true'] }), invalid);
    await assert.rejects(box.run({ files: [{ path: 'x', sourceFile: '/nonexistent/file' }], command: ['true'] }), invalid);
    await assert.rejects(box.run({ files: [], command: [] }), invalid);
    await assert.rejects(box.run({ files: [], command: ['a\0b'] }), invalid);
    await assert.rejects(box.run({ files: [], command: 'true' as unknown as string[] }), invalid);
    await assert.rejects(box.run({ files: [], command: ['true'], env: { 'BAD-NAME': 'x' } }), invalid);
    await assert.rejects(box.run({ files: [], command: ['true'], env: { OK: 'a\0b' } }), invalid);
    await assert.rejects(box.run({ files: [], command: ['true'], limits: { wallMs: 0 } }), invalid);
    await assert.rejects(box.run({ files: [], command: ['true'], limits: { memoryBytes: 1024 } }), invalid);
    await assert.rejects(
      box.run({ files: [], command: ['true'], limits: { cpuSeconds: 1.5, processes: -1 } }),
      (e: unknown) => invalid(e) && (e as AssayError).details.fields?.length === 2,
    );
    assert.equal(fs.readdirSync(box.root).filter((n) => n.startsWith('run-')).length, before);
  });

  it('reports a wall limit shorter than the start-up as a timeout, not as a failure', async () => {
    const r = await box.run({ files: [], command: ['sleep', '5'], limits: { wallMs: 1 } });
    await r.cleanup();
    assert.equal(r.timedOut, true, describeRun(r));
    assert.equal(r.signal, 'SIGKILL');
    assert.ok(r.wallMs < 2000);
  });

  it('reports a missing command through bwrap, not as a crash', async () => {
    const r = await box.run({ files: [], command: ['no-such-command-here'] });
    await r.cleanup();
    assert.notEqual(r.exitCode, 0);
    assert.match(r.stderr, /no-such-command-here/);
  });

  it('runs several sandboxes at once, each with its own work dir', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map((i) => box.run({ files: [{ path: 'n.txt', content: String(i) }], command: ['sh', '-c', 'sleep 0.2; cat n.txt; ls /work'] })),
    );
    for (const [i, r] of results.entries()) {
      assert.equal(r.stdout, `${i + 1}n.txt\n`, describeRun(r));
      await r.cleanup();
    }
    assert.equal(new Set(results.map((r) => r.workDir)).size, 4);
  });

  it('measures its overhead', async () => {
    const report = await measureSandboxOverhead(3, box);
    assert.equal(report.runs, 3);
    assert.ok(report.sandboxed.medianMs > 0 && report.unsandboxed.medianMs > 0, JSON.stringify(report));
    assert.ok(report.sandboxed.p95Ms >= report.sandboxed.medianMs);
    assert.equal(report.overheadMedianMs, Math.round((report.sandboxed.medianMs - report.unsandboxed.medianMs) * 1000) / 1000);
  });

  it('keeps the root traversable only (0711) and each work dir private (0700, owned by the sandbox uid)', async () => {
    assert.equal(fs.statSync(box.root).mode & 0o777, 0o711);
    const r = await box.run({ files: [{ path: 'f', content: 'x' }], command: ['true'] });
    try {
      const stat = fs.statSync(r.workDir);
      assert.equal(stat.mode & 0o777, 0o700);
      if (process.getuid?.() === 0) {
        assert.equal(stat.uid, 65534);
        assert.equal(fs.statSync(path.join(r.workDir, 'f')).uid, 65534);
      }
    } finally {
      await r.cleanup();
    }
  });
});

describe('sandboxes in several threads of one process', { skip: SKIP_WITHOUT_BWRAP }, () => {
  it('keep their own /etc copy and cgroups: a sandbox starting in one thread disturbs no run of another', async () => {
    const root = path.join(os.tmpdir(), `assay-sandbox-threads-${process.pid}`);
    const worker = startTsWorker(new URL('./sandbox-thread-child.ts', import.meta.url), { workerData: { root, runs: 40 } });
    const boxes: Sandbox[] = [];
    try {
      const done = new Promise<{ failures: string[] }>((resolve, reject) => {
        worker.on('message', (m: { kind: string; failures?: string[] }) => {
          if (m.kind === 'done') resolve({ failures: m.failures ?? [] });
        });
        worker.on('error', reject);
        worker.on('exit', (code) => reject(new Error(`the thread exited (code ${code})`)));
      });
      await new Promise<void>((resolve) => worker.once('message', () => resolve()));
      // Meanwhile this thread starts sandboxes on the same root, each building its /etc copy and probing cgroups.
      let started = 0;
      let finished = false;
      void done.finally(() => (finished = true)).catch(() => undefined);
      while (!finished && started < 40) {
        const box = new Sandbox({ root });
        boxes.push(box);
        const probe = await box.run({ files: [], command: ['true'] });
        await probe.cleanup();
        started++;
      }
      const { failures } = await done;
      assert.ok(started > 0);
      assert.deepEqual(failures, []);
    } finally {
      for (const box of boxes) await box.close();
      await worker.terminate();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

