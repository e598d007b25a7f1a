import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gradeOnce } from '../../src/grading/engine/runner.ts';
import { parseNativeResults } from '../../src/grading/results/native.ts';
import { runStudentCommand } from '../../src/grading/sandbox/index.ts';
import type { SandboxRunOptions } from '../../src/grading/sandbox/index.ts';
import { describeRun, hostProcessesWith, removeRootOfKilledServer, SKIP_WITHOUT_BWRAP, testSandbox, uniqueMarker } from './sandbox-helpers.ts';

// Each test states what the sandbox must prevent and fails when the sandbox is weakened: the
// command inside first proves it ran (so a failure to even start cannot pass for a blocked attack).

const PYTHON = '/usr/bin/python3';

describe('sandbox security', { skip: SKIP_WITHOUT_BWRAP }, () => {
  const box = testSandbox();
  const noCgroupBox = testSandbox({ cgroups: 'none' });
  let dataDir: string;
  let hostServer: net.Server;
  let hostPort: number;
  let hostConnections = 0;

  before(async () => {
    const status = await box.status();
    assert.equal(status.available, true, status.reason ?? '');
    assert.ok(fs.existsSync(PYTHON), 'these tests need Debian python3 at /usr/bin/python3');
    // Stands for the server's data dir: outside every work dir, world-readable on purpose, so only the
    // sandbox's mount namespace keeps it out of reach.
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-data-'));
    fs.chmodSync(dataDir, 0o755);
    fs.writeFileSync(path.join(dataDir, 'secret.txt'), 'DATA-DIR-SECRET', { mode: 0o644 });
    hostServer = net.createServer((socket) => {
      hostConnections++;
      socket.end('hello from the host\n');
    });
    await new Promise<void>((resolve) => hostServer.listen(0, '127.0.0.1', resolve));
    hostPort = (hostServer.address() as net.AddressInfo).port;
  });

  after(async () => {
    await new Promise((resolve) => hostServer.close(resolve));
    await box.dispose();
    await noCgroupBox.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function run(options: Partial<SandboxRunOptions> & { command: string[] }, sandbox = box) {
    const result = await sandbox.run({ files: [], ...options });
    await result.cleanup();
    return result;
  }

  it('has no network: neither the host loopback nor the internet can be reached', async () => {
    const script = [
      'import socket',
      'print("started", flush=True)',
      `for name, addr in (("host", ("127.0.0.1", ${hostPort})), ("internet", ("1.1.1.1", 80))):`,
      '    try:',
      '        s = socket.create_connection(addr, timeout=3)',
      '        print(name, "CONNECTED", s.recv(100))',
      '    except OSError as e:',
      '        print(name, "blocked", e.errno)',
      'print("interfaces", sorted(l.split(":")[0].strip() for l in open("/proc/net/dev").readlines()[2:]))',
    ].join('\n');
    const r = await run({ command: [PYTHON, '-c', script] });
    assert.match(r.stdout, /^started\n/, describeRun(r));
    assert.match(r.stdout, /^host blocked \d+$/m, describeRun(r));
    assert.match(r.stdout, /^internet blocked \d+$/m, describeRun(r));
    assert.match(r.stdout, /^interfaces \['lo'\]$/m, 'only the run\'s own loopback exists');
    assert.equal(hostConnections, 0);
    // The same probe from the host does connect: the port is really there.
    const viaHost = await new Promise<boolean>((resolve) => {
      const s = net.connect(hostPort, '127.0.0.1', () => resolve(true)).on('error', () => resolve(false));
      s.on('data', () => s.end());
    });
    assert.equal(viaHost, true);
  });

  it('contains a fork bomb with the process limit; the run ends and nothing is left on the host', async () => {
    const marker = uniqueMarker();
    const script = [
      'import os, time',
      'print("started", flush=True)',
      'n = 0',
      'try:',
      '    while n < 1000:',
      '        if os.fork() == 0:',
      '            time.sleep(60)',
      '            os._exit(0)',
      '        n += 1',
      'except OSError as e:',
      '    print("fork failed after", n, "errno", e.errno, flush=True)',
    ].join('\n');
    for (const sandbox of [box, noCgroupBox]) {
      const r = await run({ command: [PYTHON, '-c', script, marker], limits: { processes: 20, wallMs: 20_000 } }, sandbox);
      const match = /fork failed after (\d+) errno 11/.exec(r.stdout);
      assert.ok(match, describeRun(r));
      assert.ok(Number(match[1]) <= 20, `forked ${match[1]} times with a limit of 20 (${r.cgroupDriver})`);
      assert.equal(r.exitCode, 0);
      assert.equal(r.timedOut, false, 'the run ends when its main process does, children or not');
      if (r.cgroupDriver !== 'none') assert.equal(r.processLimitReached, true);
      assert.deepEqual(hostProcessesWith(marker), [], 'no forked process survives the run');
    }
  });

  it('kills a memory bomb at the memory limit', async () => {
    const script = [
      'print("started", flush=True)',
      'chunks = []',
      'while len(chunks) < 2000:',
      '    chunks.append(bytearray(1 << 20))',
      '    if len(chunks) % 8 == 0: print(len(chunks), flush=True)',
    ].join('\n');
    const r = await run({ command: [PYTHON, '-c', script], limits: { memoryBytes: 64 * 1024 * 1024 } });
    assert.match(r.stdout, /^started\n/, describeRun(r));
    const reached = Math.max(...r.stdout.split('\n').filter((l) => /^\d+$/.test(l)).map(Number));
    assert.ok(reached < 64, `allocated ${reached} MiB under a 64 MiB limit`);
    assert.ok(reached >= 8, 'it did allocate before it was stopped');
    if (r.cgroupDriver === 'none') {
      assert.notEqual(r.exitCode, 0);
    } else {
      assert.equal(r.signal, 'SIGKILL', describeRun(r));
      assert.equal(r.memoryExceeded, true);
      assert.equal(r.timedOut, false);
    }
  });

  it('stops a disk fill at the file size limit, in /work and in /tmp', async () => {
    const r = await run({
      command: ['sh', '-c', 'echo started; head -c 50000000 /dev/zero > /work/fill; echo "work $?"; head -c 50000000 /dev/zero > /tmp/fill; echo "tmp $?"; ls -l /tmp/fill | cut -d" " -f5'],
      limits: { fileSizeBytes: 1024 * 1024 },
    });
    assert.match(r.stdout, /^started\nwork 153\ntmp 153\n1048576\n$/, describeRun(r)); // 128 + SIGXFSZ
    const py = await box.run({
      files: [],
      command: [PYTHON, '-c', 'print("started", flush=True)\ntry:\n    open("fill", "wb").write(bytes(5_000_000))\nexcept OSError as e:\n    print("errno", e.errno)'],
      limits: { fileSizeBytes: 1024 * 1024 },
    });
    try {
      assert.match(py.stdout, /^started\nerrno 27\n$/, describeRun(py)); // EFBIG: python ignores SIGXFSZ
      assert.equal(fs.statSync(path.join(py.workDir, 'fill')).size, 1024 * 1024);
    } finally {
      await py.cleanup();
    }
    const dies = await run({ command: ['sh', '-c', 'exec head -c 5000000 /dev/zero > big'], limits: { fileSizeBytes: 1024 * 1024 } });
    assert.equal(dies.signal, 'SIGXFSZ', describeRun(dies));
    assert.equal(dies.fileSizeExceeded, true);
  });

  it('kills an infinite loop at the wall limit', async () => {
    const started = performance.now();
    const r = await run({ command: [PYTHON, '-c', 'print("started", flush=True)\nwhile True: pass'], limits: { wallMs: 1500, cpuSeconds: 60 } });
    const elapsed = performance.now() - started;
    assert.match(r.stdout, /^started\n/, describeRun(r));
    assert.equal(r.timedOut, true);
    assert.equal(r.signal, 'SIGKILL');
    assert.equal(r.exitCode, null);
    assert.ok(r.wallMs >= 1500 && r.wallMs < 4000, `wallMs ${r.wallMs}`);
    assert.ok(elapsed < 6000);
  });

  it('kills an infinite loop at the CPU limit', async () => {
    const r = await run({ command: [PYTHON, '-c', 'print("started", flush=True)\nwhile True: pass'], limits: { wallMs: 30_000, cpuSeconds: 1 } });
    assert.match(r.stdout, /^started\n/, describeRun(r));
    assert.equal(r.timedOut, false, describeRun(r));
    assert.equal(r.signal, 'SIGXCPU');
    assert.equal(r.cpuTimeExceeded, true);
    if (r.cpuMs !== null) assert.ok(r.cpuMs >= 500 && r.cpuMs < 3000, `cpuMs ${r.cpuMs}`);
  });

  it('kills `sleep 100` and what it started at the wall limit', async () => {
    const marker = uniqueMarker();
    const r = await run({ command: ['sh', '-c', `echo started; sleep 100.${marker} & sleep 100.${marker}`], limits: { wallMs: 1000 } });
    assert.equal(r.stdout, 'started\n', describeRun(r));
    assert.equal(r.timedOut, true);
    assert.equal(r.signal, 'SIGKILL');
    assert.ok(r.wallMs >= 1000 && r.wallMs < 3000, `wallMs ${r.wallMs}`);
    assert.deepEqual(hostProcessesWith(`100.${marker}`), []);
  });

  it('truncates endless output, keeping head and tail, stdout and stderr each', async () => {
    const r = await run({ command: ['sh', '-c', 'seq 1 200000; seq 1 100000 >&2'], limits: { outputBytes: 1000 } });
    assert.equal(r.exitCode, 0, describeRun(r));
    assert.equal(r.outputTruncated, true);
    const stdoutTotal = Array.from({ length: 200000 }, (_, i) => String(i + 1).length + 1).reduce((a, b) => a + b, 0);
    assert.equal(r.stdoutBytes, stdoutTotal);
    assert.ok(r.stdout.startsWith('1\n2\n3\n'));
    assert.ok(r.stdout.endsWith('199999\n200000\n'));
    assert.ok(r.stdout.includes(`\n…[${stdoutTotal - 1000} bytes truncated]…\n`), r.stdout);
    assert.ok(r.stderr.startsWith('1\n2\n') && r.stderr.endsWith('99999\n100000\n'));
    assert.ok(r.stdout.length < 1100 && r.stderr.length < 1100);

    const endless = await run({ command: ['yes', 'spam'], limits: { outputBytes: 4096, wallMs: 1000 } });
    assert.equal(endless.timedOut, true);
    assert.ok(endless.stdoutBytes > 100_000, `only ${endless.stdoutBytes} bytes in a second`);
    assert.ok(endless.stdout.startsWith('spam\nspam\n') && endless.stdout.endsWith('spam\n'));
    assert.match(endless.stdout, /…\[\d+ bytes truncated\]…/);
    assert.ok(endless.stdout.length < 4200);
  });

  it("cannot read another run's work dir, by its host path or by searching", async () => {
    const secretName = `other-run-${uniqueMarker()}.txt`;
    const first = await box.run({ files: [{ path: secretName, content: 'OTHER-RUN-SECRET' }], command: ['true'] });
    try {
      assert.equal(fs.readFileSync(path.join(first.workDir, secretName), 'utf8'), 'OTHER-RUN-SECRET');
      const probe = [
        'echo started',
        `cat ${first.workDir}/${secretName} 2>&1`,
        `ls ${path.dirname(first.workDir)} 2>&1`,
        `find / -xdev -name '${secretName}' 2>/dev/null | head`,
        `grep -rl OTHER-RUN-SECRET /work /tmp /etc 2>/dev/null`,
        'echo done',
      ].join('; ');
      const second = await run({ command: ['sh', '-c', probe] });
      assert.match(second.stdout, /^started\n/, describeRun(second));
      assert.match(second.stdout, /done\n$/);
      assert.doesNotMatch(second.stdout, /OTHER-RUN-SECRET/);
      assert.doesNotMatch(second.stdout, new RegExp(`^/.*${secretName}$`, 'm'), 'find did not find it');
      assert.match(second.stdout, /No such file or directory/);
      // Running at the same time changes nothing: a run only ever sees its own /work.
      const [a, b] = await Promise.all([
        run({ files: [{ path: 'mine-a', content: 'a' }], command: ['sh', '-c', 'sleep 0.3; ls /work'] }),
        run({ files: [{ path: 'mine-b', content: 'b' }], command: ['sh', '-c', 'sleep 0.3; ls /work'] }),
      ]);
      assert.equal(a.stdout, 'mine-a\n');
      assert.equal(b.stdout, 'mine-b\n');
    } finally {
      await first.cleanup();
    }
  });

  it("cannot read the server's data dir, /root or other host files", async () => {
    const probe = [
      'echo started',
      `cat ${dataDir}/secret.txt 2>&1`,
      `ls ${os.tmpdir()} 2>&1`,
      'ls -a /root 2>&1',
      'cat /etc/shadow 2>&1',
      `ls ${process.cwd()} 2>&1`,
      'grep -c . /etc/passwd',
      `find / -xdev -name secret.txt 2>/dev/null | head`,
      'echo done',
    ].join('; ');
    const r = await run({ command: ['sh', '-c', probe] });
    assert.match(r.stdout, /^started\n/, describeRun(r));
    assert.match(r.stdout, /done\n$/);
    assert.doesNotMatch(r.stdout, /DATA-DIR-SECRET/);
    assert.match(r.stdout, new RegExp(`cat: ${dataDir}/secret.txt: No such file or directory`));
    assert.match(r.stdout, /ls: cannot access '\/root': No such file or directory/);
    assert.match(r.stdout, /cat: \/etc\/shadow: No such file or directory/);
    assert.doesNotMatch(r.stdout, /^assay-/m, 'the host /tmp is not the run\'s /tmp');
    assert.match(r.stdout, /^2$/m, 'passwd is the sandbox\'s own (root and nobody), not the host\'s');
    assert.doesNotMatch(r.stdout, /secret\.txt\n/);
  });

  it("does not show the host's processes in /proc", async () => {
    const hostInit = fs.readFileSync('/proc/1/cmdline', 'utf8').replace(/\0/g, ' ').trim();
    const script = [
      'import os',
      'print("started")',
      'print("pids", sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))',
      'print("init", open("/proc/1/cmdline").read().replace("\\0", " ").strip()[:200])',
      `print("host-pid-visible", os.path.exists("/proc/${process.pid}/cmdline") and "node" in open("/proc/${process.pid}/cmdline").read())`,
    ].join('\n');
    const r = await run({ command: [PYTHON, '-c', script] });
    assert.match(r.stdout, /^started\n/, describeRun(r));
    const pids = JSON.parse(/^pids (\[.*\])$/m.exec(r.stdout)![1]!) as number[];
    assert.ok(pids.length <= 4, `processes visible: ${pids}`);
    assert.ok(pids.includes(1));
    const init = /^init (.*)$/m.exec(r.stdout)![1]!;
    assert.match(init, /bwrap/, 'pid 1 is the sandbox\'s own init');
    assert.notEqual(init, hostInit.slice(0, 200));
    assert.match(r.stdout, /^host-pid-visible False$/m);
  });

  it('cannot write outside its work dir', async () => {
    const marker = `tmp-marker-${uniqueMarker()}`;
    const targets = ['/usr/evil', '/etc/evil', '/evil', '/bin/evil', '/etc/alternatives/evil', '/proc/sys/kernel/hostname'];
    const script = [
      'echo started',
      ...targets.map((t) => `(echo x > ${t}) 2>/dev/null && echo "wrote ${t}" || echo "refused ${t}"`),
      `echo x > /tmp/${marker} && echo "wrote /tmp"`,
      'echo x > /work/ok && echo "wrote /work"',
    ].join('; ');
    const result = await box.run({ files: [], command: ['sh', '-c', script] });
    try {
      assert.match(result.stdout, /^started\n/, describeRun(result));
      for (const t of targets) assert.match(result.stdout, new RegExp(`^refused ${t}$`, 'm'));
      assert.match(result.stdout, /^wrote \/work$/m);
      assert.match(result.stdout, /^wrote \/tmp$/m);
      assert.equal(fs.readFileSync(path.join(result.workDir, 'ok'), 'utf8'), 'x\n');
    } finally {
      await result.cleanup();
    }
    // The run's /tmp is its own tmpfs, gone with it.
    assert.equal(fs.existsSync(path.join(os.tmpdir(), marker)), false);
    assert.equal(fs.existsSync('/usr/evil'), false);
    assert.equal(fs.existsSync('/evil'), false);
  });

  it('kills what the run left in the background when its main process exits', async () => {
    const marker = uniqueMarker();
    const script = [
      `sleep 1000.${marker}1 &`,
      `setsid sleep 1000.${marker}2 &`,
      `nohup sleep 1000.${marker}3 > /dev/null 2>&1 &`,
      `${PYTHON} -c 'import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0: time.sleep(1000)\n    os._exit(0)' ${marker}4`,
      'sleep 0.2',
      'echo started',
      'exit 0',
    ].join('\n');
    for (const sandbox of [box, noCgroupBox]) {
      const r = await run({ command: ['sh', '-c', script] }, sandbox);
      assert.equal(r.stdout, 'started\n', describeRun(r));
      assert.equal(r.exitCode, 0);
      assert.equal(r.timedOut, false);
      assert.deepEqual(hostProcessesWith(marker), [], `background processes survived (${r.cgroupDriver})`);
    }
  });

  it('runs as uid 65534 without capabilities, inside and on the host', async () => {
    const marker = uniqueMarker();
    const r = await box.run({
      files: [],
      command: ['sh', '-c', `id -u; id -g; grep -E '^Cap(Eff|Prm|Bnd|Amb):' /proc/self/status; hostname`],
    });
    await r.cleanup();
    assert.match(r.stdout, /^65534\n65534\n/, describeRun(r));
    for (const cap of ['CapEff', 'CapPrm', 'CapBnd', 'CapAmb']) assert.match(r.stdout, new RegExp(`^${cap}:\\s+0000000000000000$`, 'm'));
    assert.match(r.stdout, /^sandbox$/m);

    // While it runs, the same process seen from the host: not root there either.
    const pending = box.run({ files: [], command: ['sleep', `1.${marker}`] });
    let hostUids: string[] = [];
    for (let i = 0; i < 100 && hostUids.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      // The run's own process (bwrap's monitor, outside the run, is root on the host when it joins the
      // shared user namespace of separation by uid, as a setuid bwrap would be).
      hostUids = hostProcessesWith(`1.${marker}`).flatMap((pid) => {
        try {
          if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep\0')) return [];
          return [/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]!];
        } catch {
          return [];
        }
      });
    }
    const result = await pending;
    await result.cleanup();
    assert.ok(hostUids.length > 0, 'the sleeping process was found on the host');
    const expected = process.getuid?.() === 0 ? '65534' : String(process.getuid?.());
    assert.ok(hostUids.every((u) => u === expected), `host uids ${hostUids}`);
  });

  it('cannot change its recorded result after its main process exits', async () => {
    const script = [
      'echo \'{"score": 0}\' > results.json',
      // A background writer that would fake a better result later, escaping the process group too.
      `setsid sh -c 'sleep 0.3; echo "{\\"score\\": 100}" > results.json' &`,
      `(sleep 0.3; echo '{"score": 100}' > results.json) &`,
      'echo started',
      'exit 0',
    ].join('\n');
    for (const sandbox of [box, noCgroupBox]) {
      const r = await sandbox.run({ files: [], command: ['sh', '-c', script] });
      try {
        assert.equal(r.stdout, 'started\n', describeRun(r));
        assert.equal((await r.readFile('results.json'))?.toString(), '{"score": 0}\n');
        await new Promise((resolve) => setTimeout(resolve, 800));
        assert.equal((await r.readFile('results.json'))?.toString(), '{"score": 0}\n', `result changed later (${r.cgroupDriver})`);
      } finally {
        await r.cleanup();
      }
    }
  });

  it('passes no file descriptor of the host process into the run', async () => {
    const r = await run({ command: [PYTHON, '-c', 'import os\nprint(sorted(int(f) for f in os.listdir("/proc/self/fd")))'] });
    // 0-2 and the one python opened to list the directory.
    assert.equal(r.stdout, '[0, 1, 2, 3]\n', describeRun(r));
  });

  it('cannot create user namespaces of its own', async () => {
    const r = await run({ command: ['sh', '-c', 'echo started; unshare --user true 2>&1; echo "unshare $?"'] });
    assert.match(r.stdout, /^started\n/, describeRun(r));
    assert.match(r.stdout, /^unshare [1-9]\d*$/m);
  });

  it('dies with the server: killing the host process kills its runs', async () => {
    const marker = uniqueMarker();
    const root = path.join(os.tmpdir(), `assay-sandbox-orphan-${process.pid}`);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'sandbox-orphan-child.ts'), root, marker], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.once('data', () => resolve());
        child.on('exit', () => reject(new Error('the child exited early')));
      });
      for (let i = 0; i < 500 && hostProcessesWith(`61.${marker}`).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(hostProcessesWith(`61.${marker}`).length > 0, 'the run is going');
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      let left: number[] = [];
      // Deadlines are generous (10 s): on a loaded machine the kernel takes a while to reap a pid namespace.
      for (let i = 0; i < 500; i++) {
        left = hostProcessesWith(marker);
        if (left.length === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.deepEqual(left, [], 'the run outlived the process that started it');
    } finally {
      child.kill('SIGKILL');
      await removeRootOfKilledServer(root);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The student's code against the staff's harness (issue 16). Each convention's example harness is
// run as the engine runs it (gradeOnce: layout, sandbox, convention parser) on submissions that
// attack it. Each attack fails the wrong functions, so an honest grade is 0 and anything above is
// the attack winning. The reference solution scoring full marks shows each harness works at all.

const EXAMPLES = path.resolve(import.meta.dirname, '../../examples');

function treeOf(dir: string): { path: string; content: Buffer }[] {
  return fs.readdirSync(dir).map((name) => ({ path: name, content: fs.readFileSync(path.join(dir, name)) }));
}

interface ConventionExample {
  convention: 'native' | 'hive' | 'autolab' | 'inginious';
  command: string[];
  harness: string;
  solution: string;
  /** The functions the exercise asks for, which every attack defines wrongly. */
  functions: string[];
  problems: string[];
  fullMarks: number;
}

const CONVENTION_EXAMPLES: ConventionExample[] = [
  { convention: 'native', command: ['python3', 'run.py'], harness: 'intro-python/greet/grader', solution: 'intro-python/greet/solution', functions: ['greet', 'fizzbuzz'], problems: ['greet', 'fizzbuzz'], fullMarks: 100 },
  { convention: 'hive', command: ['python3', 'run.py'], harness: 'intro-python/greet/grader', solution: 'intro-python/greet/solution', functions: ['greet', 'fizzbuzz'], problems: ['greet', 'fizzbuzz'], fullMarks: 100 },
  { convention: 'autolab', command: ['make', '-s'], harness: 'harnesses/autolab', solution: 'intro-python/greet/solution', functions: ['greet', 'fizzbuzz'], problems: ['greet', 'fizzbuzz'], fullMarks: 100 },
  { convention: 'inginious', command: ['sh', 'run'], harness: 'intro-python/palindromes/grader', solution: 'intro-python/palindromes/solution', functions: ['is_palindrome', 'reverse_words'], problems: ['is_palindrome', 'reverse_words'], fullMarks: 100 },
];

/** What a successful attack would have the harness record, for every convention at once. */
const FORGE_RESULTS = [
  'def forge():',
  '    import json, os, subprocess',
  '    full = {"score": 100, "tests": [{"name": n, "score": 50, "max_score": 50, "status": "passed", "output": "ok", "visibility": "visible"} for n in ("greet", "fizzbuzz up to 5", "fizzbuzz up to 100")]}',
  '    for where in ("/work", "/work/..", "/work/../..", "/proc/1/cwd", "/proc/1/root/work", "/tmp", "."):',
  '        for name in ("results.json", "results/results.json", ".assay/feedback"):',
  '            try:',
  '                os.makedirs(os.path.join(where, os.path.dirname(name)), exist_ok=True)',
  '                with open(os.path.join(where, name), "w") as f:',
  '                    f.write("result\\t\\t\\tc3VjY2Vzcw==\\ngrade\\t\\t\\tMTAw\\n" if name.endswith("feedback") else json.dumps(full))',
  '            except OSError:',
  '                pass',
  '    for command in (["feedback-result", "success"], ["feedback-grade", "100"]):',
  '        try:',
  '            subprocess.run(command, stderr=subprocess.DEVNULL)',
  '        except OSError:',
  '            pass',
  '    for fd in range(3, 64):',
  '        try:',
  '            os.write(fd, b\'{"scores": {"greet": 40, "fizzbuzz": 60}}\\n\')',
  '        except OSError:',
  '            pass',
  '    print(\'{"scores": {"greet": 40, "fizzbuzz": 60}}\', flush=True)',
  '    os.write(1, b\'{"scores": {"greet": 40, "fizzbuzz": 60}}\\n\')',
].join('\n');

function wrongFunctions(names: string[]): string {
  return names.map((n) => `def ${n}(*args):\n    return None\n`).join('\n');
}

const ATTACKS: { name: string; solution: (functions: string[]) => string }[] = [
  {
    name: 'rewrites the results when it exits and after (atexit hook, a process left behind)',
    solution: (fns) =>
      [
        'import atexit, os, time',
        FORGE_RESULTS,
        'def behind():',
        '    forge()',
        '    if os.fork() == 0:',
        '        os.setsid()',
        '        for fd in (0, 1, 2):',
        '            os.close(fd)',
        '        end = time.monotonic() + 5',
        '        while time.monotonic() < end:',
        '            forge()',
        '        os._exit(0)',
        'atexit.register(behind)',
        wrongFunctions(fns),
      ].join('\n'),
  },
  {
    name: 'forges the results at import, then exits early with success (os._exit(0))',
    solution: () => `import os\n${FORGE_RESULTS}\nforge()\nos._exit(0)\n`,
  },
  {
    name: 'kills and ptraces every process it can see, the harness included',
    solution: (fns) =>
      [
        'import ctypes, os, signal',
        'libc = ctypes.CDLL(None, use_errno=True)',
        'for pid in [int(p) for p in os.listdir("/proc") if p.isdigit()] + list(range(1, 400)):',
        '    if pid == os.getpid():',
        '        continue',
        '    if pid != 1:  # its own sandbox\'s init: stopping it would only hang itself',
        '        libc.ptrace(16, pid, 0, 0)  # PTRACE_ATTACH',
        '    try:',
        '        os.kill(pid, signal.SIGKILL)',
        '    except OSError:',
        '        pass',
        'try:',
        '    os.kill(-1, signal.SIGKILL)',
        'except OSError:',
        '    pass',
        wrongFunctions(fns),
      ].join('\n'),
  },
  {
    name: 'reads the hidden harness and the reference solution and prints them in its feedback',
    solution: (fns) =>
      [
        'import os',
        'found = []',
        'places = [f"/proc/{p}/{w}" for p in os.listdir("/proc") if p.isdigit() for w in ("cwd", "root/work")]',
        'for top in ["/"] + places:',
        '    for d, dirs, files in os.walk(top):',
        '        if d.startswith(("/proc", "/sys", "/usr", "/dev", "/etc")):',
        '            dirs[:] = []',
        '            continue',
        '        for f in files:',
        '            if f.endswith((".py", "Makefile", "run")) and f not in ("solution.py", "probe.py"):',
        '                try:',
        '                    found.append(open(os.path.join(d, f), errors="replace").read())',
        '                except Exception:',
        '                    pass',
        'leak = f"LEAK<{len(found)}>" + "\\n".join(found)[:4000]',
        ...fns.map((n) => `def ${n}(*args):\n    raise RuntimeError(leak)\n`),
      ].join('\n'),
  },
  {
    name: "writes outside the student's area (the harness's files, /tmp, the inherited descriptors)",
    solution: (fns) =>
      [
        'import os',
        'passing = {"check.py": "print(\\"ok\\")", "grade.py": "print(\\"{\\\\\\"scores\\\\\\": {\\\\\\"greet\\\\\\": 40, \\\\\\"fizzbuzz\\\\\\": 60}}\\")", "run": "feedback-result success; feedback-grade 100", "feedback-result": "#!/bin/sh\\necho \\"result\\t\\t\\tc3VjY2Vzcw==\\" >> /work/.assay/feedback"}',
        'for where in ("/work", "/work/..", "/proc/1/root/work", "/proc/1/cwd", "/work/.assay/bin"):',
        '    for name, content in passing.items():',
        '        try:',
        '            with open(os.path.join(where, name), "w") as f:',
        '                f.write(content)',
        '        except OSError:',
        '            pass',
        FORGE_RESULTS,
        'forge()',
        wrongFunctions(fns),
      ].join('\n'),
  },
];

describe('student code runs apart from the harness (run_student), every convention', { skip: SKIP_WITHOUT_BWRAP }, () => {
  // A small quota, so the fill attacks end quickly.
  const quota = { bytes: 48 * 1024 * 1024, files: 1500 };
  const box = testSandbox({ workDirQuota: quota });
  const nestedBox = testSandbox({ workDirQuota: quota, separation: 'nested' });
  after(async () => {
    await box.dispose();
    await nestedBox.dispose();
  });

  const grade = (example: ConventionExample, solution: { path: string; content: Buffer }[]) =>
    gradeOnce(
      { convention: example.convention, command: example.command, sandboxLimits: { wallMs: 60_000, cpuSeconds: 30, memoryBytes: 512 * 1024 * 1024, processes: 64, outputBytes: 1024 * 1024, fileSizeBytes: 16 * 1024 * 1024 } },
      treeOf(path.join(EXAMPLES, example.harness)),
      solution,
      {},
      example.problems,
      (options) => box.run(options),
    );

  for (const example of CONVENTION_EXAMPLES) {
    it(`${example.convention}: the example harness gives the reference solution full marks`, async () => {
      const result = await grade(example, treeOf(path.join(EXAMPLES, example.solution)));
      assert.equal(result.staffError, false, `${result.feedback}\n${result.log}`);
      assert.equal(result.score, example.fullMarks, `${result.feedback}\n${result.log}`);
    });

    for (const attack of ATTACKS) {
      it(`${example.convention}: a submission that ${attack.name} scores 0`, async () => {
        const result = await grade(example, [{ path: 'solution.py', content: Buffer.from(attack.solution(example.functions)) }]);
        const seen = `${JSON.stringify(result.tests)}\n${result.feedback}\n${JSON.stringify(result.problems)}\n${result.log}`;
        assert.equal(result.staffError, false, seen);
        assert.equal(result.score, 0, seen);
        assert.ok(result.tests.every((t) => t.status !== 'passed'), seen);
        // Nothing of the harness reached the student: it found no harness file to print.
        assert.doesNotMatch(seen, /LEAK<[1-9]/, seen);
      });
    }
  }

  for (const separation of ['uid', 'nested'] as const) {
    it(`${separation}: the student cannot create user namespaces (the harness may only when it needs them for a nested sandbox); it sees no host path`, async (t) => {
      const sandbox = separation === 'uid' ? box : nestedBox;
      if (separation === 'uid' && (await box.status()).separation !== 'uid') return t.skip('separation by uid is not available here');
      const runStudent = runStudentCommand();
      const script = [
        'echo started',
        'unshare --user true 2>/dev/null; echo "harness unshare $?"',
        `run_student sh -c 'unshare --user true 2>/dev/null; echo "student unshare $?"; tr "\\0" " " < /proc/1/cmdline; echo; cat /proc/self/mountinfo'`,
      ].join('\n');
      const r = await sandbox.run({
        files: [{ path: '.assay/bin/run_student', content: runStudent, mode: 0o755 }],
        command: ['sh', '-c', script],
        env: { PATH: '/work/.assay/bin:/usr/bin:/bin' },
        nested: true,
      });
      await r.cleanup();
      assert.match(r.stdout, separation === 'uid' ? /^started\nharness unshare [1-9]\d*\n/ : /^started\nharness unshare 0\n/, describeRun(r));
      assert.match(r.stdout, /^student unshare [1-9]\d*$/m, describeRun(r));
      assert.ok(!r.stdout.includes(sandbox.root) && !r.stdout.includes(path.basename(r.workDir)), r.stdout);
    });
  }

  /**
   * A harness (bash) with a hidden 0700 directory, its results file and a process of its own (a
   * `sleep`); the student's code (attack.sh, run through run_student) tries to reach each of them.
   */
  async function separated(separation: 'uid' | 'nested', attack: string[]): Promise<{ stdout: string; run: string }> {
    const sandbox = separation === 'uid' ? box : nestedBox;
    assert.equal((await sandbox.status()).separation, separation);
    const runStudent = runStudentCommand();
    const harness = [
      'mkdir -m 0700 hidden && echo HIDDEN-SECRET > hidden/tests.txt && chmod 0600 hidden/tests.txt',
      'echo \'{"score": 0}\' > results.json',
      'sleep 30 & victim=$!',
      'run_student --env HARNESS=$$ --env VICTIM=$victim sh attack.sh',
      'kill -0 $victim && echo "victim alive"',
      'echo "results $(cat results.json)"',
      'echo "files $(ls -A | tr "\\n" " ")"',
      'kill $victim',
    ].join('\n');
    const r = await sandbox.run({
      files: [
        { path: '.assay/bin/run_student', content: runStudent, mode: 0o755 },
        { path: '.assay/submission/attack.sh', content: `${attack.join('\n')}\necho student-done\n` },
      ],
      command: ['bash', '-c', harness],
      env: { PATH: '/work/.assay/bin:/usr/bin:/bin' },
      nested: true,
    });
    await r.cleanup();
    assert.match(r.stdout, /student-done/, describeRun(r));
    assert.match(r.stdout, /^results \{"score": 0\}$/m, describeRun(r));
    assert.match(r.stdout, /^files \.assay hidden results\.json $/m, describeRun(r));
    return { stdout: r.stdout, run: describeRun(r) };
  }

  const uidUnavailable = async (separation: 'uid' | 'nested') => separation === 'uid' && (await box.status()).separation !== 'uid';

  for (const separation of ['uid', 'nested'] as const) {
    describe(`${separation}: what the student's code cannot reach`, () => {
      it("cannot read the harness's hidden 0700 files", async (t) => {
        if (await uidUnavailable(separation)) return t.skip('separation by uid is not available here');
        const { stdout, run } = await separated(separation, [
          'for f in /work/hidden/tests.txt /proc/$HARNESS/root/work/hidden/tests.txt /proc/$HARNESS/cwd/hidden/tests.txt /proc/1/root/work/hidden/tests.txt; do cat $f 2>/dev/null; done',
          'grep -rsh "HIDDEN-SECRE[T]" /work /proc/$HARNESS/cwd /tmp 2>/dev/null | head -3',
        ]);
        assert.doesNotMatch(stdout, /HIDDEN-SECRET/, run);
      });

      it("cannot write the results or any file of the harness's /work", async (t) => {
        if (await uidUnavailable(separation)) return t.skip('separation by uid is not available here');
        // (Under nested, /work is the student's own copy: what it writes there is its own.)
        await separated(separation, [
          'for d in /work /proc/$HARNESS/cwd /proc/$HARNESS/root/work /proc/1/cwd; do echo \'{"score": 100}\' > $d/results.json; echo x > $d/planted; done 2>/dev/null',
          'for fd in 3 4 5 6 7 8 9; do echo \'{"score": 100}\' >&$fd; done 2>/dev/null',
        ]);
      });

      it('cannot kill or ptrace the harness', async (t) => {
        if (await uidUnavailable(separation)) return t.skip('separation by uid is not available here');
        const { stdout, run } = await separated(separation, [
          // Only when the harness's sleep is what it sees at that pid (under nested, it sees none of them).
          'if grep -qs "^sleep" /proc/$VICTIM/cmdline; then',
          '  echo "victim seen"',
          '  head -c 1 /proc/$VICTIM/environ 2>/dev/null | grep -q . && echo ENVIRON',
          `  python3 -c "import ctypes, os; libc = ctypes.CDLL(None, use_errno=True); print('TRACED' if libc.ptrace(16, int(os.environ['VICTIM']), 0, 0) == 0 else 'no trace')"`,
          '  kill -9 $VICTIM 2>/dev/null && echo KILLED',
          '  kill -STOP $HARNESS 2>/dev/null && echo STOPPED',
          'fi',
          'kill -9 -1 2>/dev/null',
        ]);
        assert.doesNotMatch(stdout, /KILLED|STOPPED|ENVIRON|TRACED/, run);
        assert.match(stdout, /^victim alive$/m, run);
        if (separation === 'uid') assert.match(stdout, /^victim seen$/m, 'under uid, the harness\'s processes are in sight (the test proves the kernel says no)');
      });
    });
  }

  it("uid: two run_student calls at once cannot reach each other's area; killing run_student kills what it started; the harness's `kill 0` is its own", async (t) => {
    if (await uidUnavailable('uid')) return t.skip('separation by uid is not available here');
    const harness = [
      // The first call keeps its area busy with a secret in it; its run_student is killed later.
      `run_student --time 60 sh -c 'echo SLOT-SECRET > mine.txt; mkdir -p d && echo SLOT-SECRET > d/f; echo ready; exec sleep 31' > first.out 2>&1 &`,
      'first=$!',
      'for i in $(seq 500); do grep -q ready first.out 2>/dev/null && break; read -r -t 0.02 <> <(:); done',
      // The second, at the same time, in another area as another uid, looks for it and tries to plant files.
      `run_student sh -c 'cat /student/*/mine.txt /student/*/d/f; ls -A /student/*; for a in /student/*; do [ "$a" = "$PWD" ] || { echo x > $a/planted && echo "PLANTED in $a"; }; done; echo second-done' 2>/dev/null`,
      'kill $first; wait $first',
      'for i in $(seq 100); do grep -qsa "^sleep.31" /proc/[0-9]*/cmdline || break; read -r -t 0.02 <> <(:); done',
      'for p in /proc/[0-9]*; do if grep -qsa "^sleep.31" $p/cmdline; then echo "LEFT RUNNING: $(grep Uid $p/status)"; fi; done',
      'echo checked',
      // A harness's `kill 0` (its process group) reaches neither the broker nor the run's end.
      'trap "" TERM; kill -TERM 0; sleep 0.2; run_student echo after-kill-0',
    ].join('\n');
    const r = await box.run({
      files: [
        { path: '.assay/bin/run_student', content: runStudentCommand(), mode: 0o755 },
        { path: '.assay/submission/solution.py', content: 'print(1)\n' },
      ],
      command: ['bash', '-c', harness],
      env: { PATH: '/work/.assay/bin:/usr/bin:/bin' },
      nested: true,
    });
    await r.cleanup();
    assert.match(r.stdout, /^second-done$/m, describeRun(r));
    assert.match(r.stdout, /^checked$/m, describeRun(r));
    assert.doesNotMatch(r.stdout, /SLOT-SECRET|PLANTED|LEFT RUNNING/, describeRun(r));
    assert.match(r.stdout, /^after-kill-0$/m, describeRun(r));
    assert.equal(r.exitCode, 0, describeRun(r));
  });

  it('ASSAY_SANDBOX_SEPARATION=nested (or the setting) forces the nested sandbox, and says so', async () => {
    assert.equal((await nestedBox.status()).separation, 'nested');
    const before = process.env.ASSAY_SANDBOX_SEPARATION;
    process.env.ASSAY_SANDBOX_SEPARATION = 'nested';
    const fromEnv = testSandbox();
    try {
      assert.equal((await fromEnv.status()).separation, 'nested');
    } finally {
      if (before === undefined) delete process.env.ASSAY_SANDBOX_SEPARATION;
      else process.env.ASSAY_SANDBOX_SEPARATION = before;
      await fromEnv.dispose();
    }
    const example = CONVENTION_EXAMPLES[0]!;
    const result = await gradeOnce(
      { convention: example.convention, command: example.command, sandboxLimits: { wallMs: 60_000, cpuSeconds: 30, memoryBytes: 512 * 1024 * 1024, processes: 64, outputBytes: 1024 * 1024, fileSizeBytes: 16 * 1024 * 1024 } },
      treeOf(path.join(EXAMPLES, example.harness)),
      treeOf(path.join(EXAMPLES, example.solution)),
      {},
      example.problems,
      (options) => nestedBox.run(options),
    );
    assert.equal(result.score, example.fullMarks, `${result.feedback}\n${result.log}`);
  });

  it('a student that fills the disk or the inodes is stopped at the quota; the harness still records its result', async () => {
    const example = CONVENTION_EXAMPLES[0]!;
    const fill = [
      'import os, sys',
      'written = files = 0',
      'try:',
      '    while written < 4 * ' + quota.bytes + ':',
      '        with open(f"big{files}", "wb") as f:',
      '            f.write(bytes(8 * 1024 * 1024))',
      '        written += 8 * 1024 * 1024; files += 1',
      'except OSError:',
      '    pass',
      'try:',
      '    while files < 4 * ' + quota.files + ':',
      '        open(f"f{files}", "w").close(); files += 1',
      'except OSError:',
      '    pass',
      ...example.functions.map((n) => `def ${n}(*args):\n    return f"wrote {written} bytes {files} files"\n`),
    ].join('\n');
    const result = await grade(example, [{ path: 'solution.py', content: Buffer.from(fill) }]);
    assert.equal(result.staffError, false, `${result.feedback}\n${result.log}`);
    assert.equal(result.score, 0);
    assert.ok(result.tests.length >= 2, 'the harness wrote its results after the fill');
    const [, written, files] = /wrote (\d+) bytes (\d+) files/.exec(result.tests[0]!.output) ?? [];
    assert.ok(written !== undefined, result.tests[0]!.output);
    assert.ok(Number(written) <= quota.bytes && Number(files) <= quota.files, `the student wrote ${written} bytes in ${files} files`);
  });
});

describe('work dir quota (bytes and files in all)', { skip: SKIP_WITHOUT_BWRAP || (process.getuid?.() !== 0 && 'the quota needs root') }, () => {
  const quota = { bytes: 32 * 1024 * 1024, files: 1000 };
  const box = testSandbox({ workDirQuota: quota });
  after(() => box.dispose());

  it('stops a run writing many files past the total size, reports it, and removes the files', async () => {
    const script = [
      'import os, time',
      'print("started", flush=True)',
      't = time.monotonic(); n = 0; written = 0',
      'try:',
      '    while written < 4 * ' + quota.bytes + ':',
      '        with open(f"f{n}", "wb") as f:',
      '            f.write(bytes(4 * 1024 * 1024))',
      '        n += 1; written += 4 * 1024 * 1024',
      'except OSError as e:',
      '    print("stopped", e.errno, written, flush=True)',
    ].join('\n');
    const r = await box.run({ files: [], command: [PYTHON, '-c', script] });
    const dir = r.workDir;
    try {
      assert.match(r.stdout, /^started\nstopped 28 (\d+)\n$/, describeRun(r)); // ENOSPC
      assert.ok(Number(/stopped 28 (\d+)/.exec(r.stdout)![1]) <= quota.bytes);
      assert.equal(r.workDirQuotaExceeded, true);
    } finally {
      await r.cleanup();
    }
    assert.equal(fs.existsSync(dir), false, 'the files are removed');
  });

  it('stops a run creating files past the file count, and gives the engine an "output too large" result', async () => {
    const script = 'echo started; i=0; while [ $i -lt 5000 ]; do : > f$i || break; i=$((i+1)); done; echo "made $i"';
    const r = await box.run({ files: [], command: ['bash', '-c', script] });
    try {
      assert.match(r.stdout, /^started\n/, describeRun(r));
      const made = Number(/made (\d+)/.exec(r.stdout)![1]);
      assert.ok(made < quota.files, `made ${made} files`);
      assert.equal(r.workDirQuotaExceeded, true);
      const grade = await parseNativeResults({ ...r, readFile: (p) => r.readFile(p) });
      assert.equal(grade.outcome, 'overflow');
      assert.match(grade.feedback, /Output too large/);
    } finally {
      await r.cleanup();
    }
  });

  it('shows no host path to the run: not in /proc/1/cmdline, not in mountinfo', async () => {
    const r = await box.run({ files: [], command: ['sh', '-c', 'echo started; tr "\\0" " " < /proc/1/cmdline; echo; cat /proc/self/mountinfo'] });
    await r.cleanup();
    assert.match(r.stdout, /^started\n/, describeRun(r));
    assert.ok(!r.stdout.includes(box.root), r.stdout);
    assert.ok(!r.stdout.includes(os.tmpdir() + '/'), r.stdout);
    assert.ok(!r.stdout.includes(path.basename(r.workDir)), r.stdout);
  });
});
