import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { encodeMimeBase64 } from '../../src/dialects/ngshare/base64.ts';
import { openRuntime } from '../../src/runtime.ts';
import { spawnCli } from '../helpers/cli.ts';
import type { FreshDatabase } from '../helpers/fresh-db.ts';
import { freshDatabase } from '../helpers/fresh-db.ts';
import { freePort } from '../helpers/ports.ts';

const md5 = (b: Buffer) => crypto.createHash('md5').update(b).digest('hex');

/** A hand-in as ngshare_exchange sends it: 20 files of 100 KiB, new bytes each time. */
function handIn(): { body: string; files: Buffer[] } {
  const files = Array.from({ length: 20 }, () => crypto.randomBytes(100 * 1024));
  const tree = files.map((content, i) => ({ path: `ps1/file-${i}.bin`, content: encodeMimeBase64(content) }));
  return { body: new URLSearchParams({ files: JSON.stringify(tree) }).toString(), files };
}

/**
 * `assay serve` killed (SIGKILL) the moment hand-ins are answered: every one answered 200 is
 * there when the data is opened again, each file whole (its MD5 as sent). The blobs are flushed
 * and renamed into place, and the submission committed, before the answer goes out.
 */
describe('ngshare hand-ins survive a crash', () => {
  let fresh: FreshDatabase;
  const tokens: Record<string, string> = {};

  before(async () => {
    fresh = freshDatabase();
    const runtime = await openRuntime(loadConfig(fresh.env));
    try {
      for (const name of ['ngadmin', 'inst', 'stud']) {
        const user = await runtime.services.users.createTrusted({ username: name, password: crypto.randomBytes(12).toString('hex'), clearance: 1 });
        tokens[name] = (await runtime.services.tokens.createApiToken(user.id, 'nbgrader')).token;
      }
    } finally {
      await runtime.close();
    }
  });
  after(() => fresh.cleanup());

  it('keeps every hand-in answered 200 when the server is killed right after', async () => {
    const port = await freePort();
    const child = spawnCli(['serve'], { ...fresh.env, PORT: String(port), HOST: '127.0.0.1', ASSAY_WORKERS: '0', ASSAY_NGSHARE_ADMINS: 'ngadmin' });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const base = `http://127.0.0.1:${port}/api`;
    const post = (url: string, token: string, body: string) =>
      fetch(base + url, { method: 'POST', headers: { authorization: `token ${token}`, 'content-type': 'application/x-www-form-urlencoded' }, body });
    try {
      for (let i = 0; ; i++) {
        const up = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
        if (up) break;
        assert.ok(i < 1200, `the server did not start in 2 minutes: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal((await post('/course/c1', tokens.ngadmin!, 'instructors=%5B%22inst%22%5D')).status, 200);
      assert.equal((await post('/students/c1', tokens.inst!, `students=${encodeURIComponent('[{"username": "stud", "first_name": "S", "last_name": "T", "email": ""}]')}`)).status, 200);
      assert.equal((await post('/assignment/c1/ps1', tokens.inst!, `files=${encodeURIComponent('[]')}`)).status, 200);
      // Several at once; the server dies as soon as the first is answered.
      const sent = Array.from({ length: 6 }, () => handIn());
      const answered: { files: Buffer[]; timestamp: string }[] = [];
      let killed = false;
      await Promise.allSettled(
        sent.map(async ({ body, files }) => {
          const res = await post('/submission/c1/ps1', tokens.stud!, body);
          const json = (await res.json()) as { success: boolean; timestamp: string };
          assert.equal(res.status, 200, JSON.stringify(json));
          answered.push({ files, timestamp: json.timestamp });
          if (!killed) {
            killed = true;
            child.kill('SIGKILL');
          }
        }),
      );
      assert.ok(answered.length >= 1, `no hand-in was answered: ${stderr}`);
      await exited;

      const runtime = await openRuntime(loadConfig(fresh.env));
      try {
        const { services } = runtime;
        const rows = await services.db.selectFrom('submissions').select(['tree_id']).orderBy('id').execute();
        assert.ok(rows.length >= answered.length, `${answered.length} answered 200, ${rows.length} stored`);
        const stored = new Map<string, string[]>();
        for (const row of rows) {
          const entries = await services.files.treeEntries(Number(row.tree_id));
          const sums: string[] = [];
          for (const e of entries) sums.push(md5(await services.files.read(e.blob, e.size)));
          stored.set(sums.join(','), sums);
        }
        for (const { files } of answered) assert.ok(stored.has(files.map(md5).join(',')), 'a hand-in answered 200 is stored whole');
      } finally {
        await runtime.close();
      }
    } finally {
      child.kill('SIGKILL');
    }
  });
});
