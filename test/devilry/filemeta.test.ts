import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AssayError } from '../../src/core/errors.ts';
import { makeUser } from '../helpers/fixtures.ts';
import { buildWorld, devilryLogin, fails, ids, ok } from './world.ts';
import type { DevilryClient, World } from './world.ts';

let w: World;
let root: DevilryClient;
let files: { readme: number; main: number; carols: number };

const FORBIDDEN = { errormessages: ['Forbidden'] };

before(async () => {
  w = await buildWorld();
  root = await devilryLogin(w.server, (await makeUser(w.server, 5)).username);
  const ex = w.server.services.examination.examining;
  const { alice, carol } = w.users;
  files = {
    readme: await ex.addFile(alice.actor, 'student', w.deliveries.del12, 'README.md', Buffer.from('# hello\n')),
    main: await ex.addFile(alice.actor, 'student', w.deliveries.del12, 'src/Main.java', Buffer.from('class Main {}')),
    carols: await ex.addFile(carol.actor, 'student', w.deliveries.del21, 'answer.txt', Buffer.from('42')),
  };
});
after(() => w.server.close());

const treeOf = async (delivery: number) => {
  const row = await w.server.services.db.selectFrom('submissions').select('tree_id').where('id', '=', delivery).executeTakeFirstOrThrow();
  return (await w.server.services.files.treeEntries(row.tree_id!)).map((e) => e.path);
};

describe('file metadata of deliveries', () => {
  it('lists a delivery\'s files with their sizes, for each role that sees the delivery', async () => {
    const alice = await devilryLogin(w.server, w.users.alice.username);
    const mine = ok(await alice.get('/student/restfulsimplifiedfilemeta/', {})).body;
    assert.deepEqual(mine, {
      items: [
        { id: files.readme, filename: 'README.md', size: 8, delivery: w.deliveries.del12 },
        { id: files.main, filename: 'src/Main.java', size: 13, delivery: w.deliveries.del12 },
      ],
      total: 2,
    });
    fails(await alice.get(`/student/restfulsimplifiedfilemeta/${files.carols}`), 403, FORBIDDEN);
    const ex1 = await devilryLogin(w.server, w.users.ex1.username);
    assert.deepEqual(ids(await ex1.get('/examiner/restfulsimplifiedfilemeta/', {})), [files.readme, files.main, files.carols]);
    const ex2 = await devilryLogin(w.server, w.users.ex2.username);
    assert.deepEqual(ids(await ex2.get('/examiner/restfulsimplifiedfilemeta/', {})), [files.carols]);
    const read = ok(await ex1.get(`/examiner/restfulsimplifiedfilemeta/${files.main}`, { result_fieldgroups: ['assignment', 'subject'] })).body;
    assert.equal(read.delivery__deadline__assignment_group__parentnode__short_name, 'oblig1');
    assert.equal(read.delivery__deadline__assignment_group__parentnode__parentnode__parentnode, w.hierarchy.subject);
    const filtered = ok(await root.get('/administrator/restfulsimplifiedfilemeta/', { filters: [{ field: 'size', comp: '<', value: 10 }] }));
    assert.deepEqual(ids(filtered), [files.readme, files.carols]);
    fails(await root.get('/administrator/restfulsimplifiedfilemeta/', { filters: [{ field: 'size', comp: 'exact', value: 'big' }] }), 400, {
      errormessages: ['Value has invalid type for field size: big'],
    });
  });

  it('a file name is unique in its delivery and must be a legal path; nothing is written otherwise', async () => {
    const ex = w.server.services.examination.examining;
    await assert.rejects(ex.addFile(w.users.alice.actor, 'student', w.deliveries.del12, 'README.md', Buffer.from('again')), /already exists/);
    await assert.rejects(ex.addFile(w.users.alice.actor, 'student', w.deliveries.del12, '../escape', Buffer.from('x')), /Illegal path/);
    await assert.rejects(ex.addFile(w.users.alice.actor, 'student', w.deliveries.del21, 'mine.txt', Buffer.from('x')), (err: AssayError) => err.kind === 'forbidden' && err.details.reason === 'not_permitted');
    assert.deepEqual(await treeOf(w.deliveries.del12), ['README.md', 'src/Main.java']);
  });

  it('administrators delete files: the delivery\'s tree loses the entry, the others keep their ids', async () => {
    const ex1 = await devilryLogin(w.server, w.users.ex1.username);
    fails(await ex1.delete(`/examiner/restfulsimplifiedfilemeta/${files.readme}`), 405, { errormessages: ['Method not supported for this resource'] });
    fails(await root.delete(`/administrator/restfulsimplifiedfilemeta/${files.readme}`), 200, { id: String(files.readme) });
    assert.deepEqual(await treeOf(w.deliveries.del12), ['src/Main.java']);
    assert.equal(ok(await root.get(`/administrator/restfulsimplifiedfilemeta/${files.main}`)).body.filename, 'src/Main.java');
    fails(await root.get(`/administrator/restfulsimplifiedfilemeta/${files.readme}`), 403, FORBIDDEN);
    // deletemany is one transaction: a missing id keeps the other file.
    fails(await root.delete('/administrator/restfulsimplifiedfilemeta/', [files.carols, 99999999]), 403, FORBIDDEN);
    assert.deepEqual(await treeOf(w.deliveries.del21), ['answer.txt']);
    assert.deepEqual(ok(await root.delete('/administrator/restfulsimplifiedfilemeta/', [files.carols])).body, { items: [files.carols], total: 1 });
    assert.deepEqual(await treeOf(w.deliveries.del21), []);
  });
});
