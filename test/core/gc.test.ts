import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StoredBlob } from '../../src/blobs/store.ts';
import { collectGarbage } from '../../src/blobs/gc.ts';
import { loadConfig } from '../../src/config.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { openRuntime } from '../../src/runtime.ts';
import { runCli } from '../helpers/cli.ts';
import { makeCourseTree } from '../helpers/fixtures.ts';
import { freshDatabase } from '../helpers/fresh-db.ts';
import type { TestServer } from '../helpers/harness.ts';
import { startTestServer } from '../helpers/harness.ts';

describe('garbage collection', () => {
  let server: TestServer;
  let clock: ManualClock;

  before(async () => {
    clock = new ManualClock(new Date());
    server = await startTestServer({ clock });
  });
  after(() => server.close());

  const store = (text: string) => server.services.files.store(Buffer.from(text));
  const onDisk = (blob: StoredBlob) => server.services.blobs.has(blob.sha256);
  const blobRow = async (blob: StoredBlob) =>
    (await server.services.db.selectFrom('blobs').select('sha256').where('sha256', '=', blob.sha256).executeTakeFirst()) !== undefined;
  const treeRow = async (id: number) => (await server.services.db.selectFrom('file_trees').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;

  it('removes old unreferenced trees and blobs and keeps referenced and young ones', async () => {
    const { files, db } = server.services;
    const { program, module } = await makeCourseTree(server);

    // Two hours ago:
    const oldOrphan = await store('old orphan blob');
    const oldInOrphanTree = await store('old blob only in an orphan tree');
    const orphanTree = await files.createTree([{ path: 'a.txt', blob: oldInOrphanTree }]);
    const oldHandout = await store('old handout blob');
    const handoutTree = await files.createTree([{ path: 'handout/main.py', blob: oldHandout }]);
    const now = clock.now();
    await db
      .insertInto('exercises')
      .values({ course_id: program.id, module_id: module.id, slug: 'gc-ex', name: 'GC', handout_tree_id: handoutTree, created_at: now, updated_at: now })
      .execute();
    const oldAvatar = await store('old avatar blob');
    const someone = await server.services.users.createTrusted({ username: 'gc_avatar', password: 'pw', clearance: 1 });
    await db.updateTable('users').set({ avatar_blob: oldAvatar.sha256 }).where('id', '=', someone.id).execute();
    // A file on disk with no row at all, as a crash between writing and recording leaves.
    const oldStray = await server.services.blobs.put(Buffer.from('old stray file'));

    clock.advance(2 * 3600 * 1000);
    // Now: young things the grace period protects.
    const youngOrphan = await store('young orphan blob');
    const youngInTree = await store('young blob in a young orphan tree');
    const youngTree = await files.createTree([{ path: 'b.txt', blob: youngInTree }]);
    const youngStray = await server.services.blobs.put(Buffer.from('young stray file'));
    const future = new Date(clock.nowMs());
    fs.utimesSync(path.join(server.config.blobDir, youngStray.sha256.slice(0, 2), youngStray.sha256.slice(2, 4), youngStray.sha256), future, future);

    const result = await collectGarbage(server.services, 3600);
    assert.deepEqual(result, { trees: 1, blobs: 3, bytes: oldOrphan.size + oldInOrphanTree.size });

    assert.equal(await treeRow(orphanTree), false);
    for (const gone of [oldOrphan, oldInOrphanTree]) {
      assert.equal(await onDisk(gone), false);
      assert.equal(await blobRow(gone), false);
    }
    assert.equal(await onDisk(oldStray), false);

    assert.equal(await treeRow(handoutTree), true);
    assert.equal(await treeRow(youngTree), true);
    for (const kept of [oldHandout, oldAvatar, youngOrphan, youngInTree]) {
      assert.equal(await onDisk(kept), true);
      assert.equal(await blobRow(kept), true);
    }
    assert.equal(await onDisk(youngStray), true);
    assert.deepEqual(
      (await files.treeEntries(handoutTree)).map((e) => e.path),
      ['handout/main.py'],
    );

    // Nothing left to collect: a second run removes nothing.
    assert.deepEqual(await collectGarbage(server.services, 3600), { trees: 0, blobs: 0, bytes: 0 });
  });

  it('keeps a blob whose upload was repeated after it got old', async () => {
    const blob = await store('uploaded again');
    clock.advance(2 * 3600 * 1000);
    await store('uploaded again'); // refreshes its age: an upload of the same bytes is in flight
    await collectGarbage(server.services, 3600);
    assert.equal(await onDisk(blob), true);
    assert.equal(await blobRow(blob), true);
  });
});

describe('assay gc (CLI)', () => {
  it('removes unreferenced blobs with --grace-seconds 0 and refuses a bad grace', async () => {
    const fresh = freshDatabase();
    try {
      const config = loadConfig(fresh.env);
      const runtime = await openRuntime(config);
      let orphan: StoredBlob;
      let kept: StoredBlob;
      try {
        orphan = await runtime.services.files.store(Buffer.from('nobody wants me'));
        kept = await runtime.services.files.store(Buffer.from('in a tree'));
        const tree = await runtime.services.files.createTree([{ path: 'k.txt', blob: kept }]);
        // An exercise's solution tree keeps `kept` alive.
        const { db } = runtime.services;
        const now = runtime.services.clock.now();
        const course = await db.insertInto('courses').values({ slug: 'gc', name: 'GC', created_at: now }).returning('id').executeTakeFirstOrThrow();
        await db.insertInto('exercises').values({ course_id: course.id, slug: 'e', name: 'E', solution_tree_id: tree, created_at: now, updated_at: now }).execute();
      } finally {
        await runtime.close();
      }
      const blobPath = (b: StoredBlob) => path.join(config.blobDir, b.sha256.slice(0, 2), b.sha256.slice(2, 4), b.sha256);
      assert.ok(fs.existsSync(blobPath(orphan)));

      const bad = await runCli(['gc', '--grace-seconds', 'soon'], fresh.env);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--grace-seconds must be a non-negative number/);
      assert.ok(fs.existsSync(blobPath(orphan)), 'a refused run deletes nothing');

      const run = await runCli(['gc', '--grace-seconds', '0'], fresh.env);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.trim(), `removed 0 file trees and 1 blobs (${orphan.size} bytes)`);
      assert.equal(fs.existsSync(blobPath(orphan)), false);
      assert.equal(fs.existsSync(blobPath(kept)), true);
    } finally {
      await fresh.cleanup();
    }
  });
});
