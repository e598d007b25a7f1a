import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { buildWorld, devilryLogin, GROUPS } from './world.ts';
import type { World } from './world.ts';

let w: World;
before(async () => {
  w = await buildWorld();
});
after(() => w.server.close());

it('smoke', async () => {
  const api = await devilryLogin(w.server, w.users.ex1.username);
  const res = await api.get(GROUPS, { result_fieldgroups: ['users', 'candidates', 'tags', 'feedback', 'feedbackdelivery', 'assignment', 'period', 'subject'] });
  console.log(res.status, JSON.stringify(res.body, null, 1));
  assert.equal(res.status, 200);
});
