/** Case-insensitive search and filters fold every letter, not only ASCII, the same on SQLite and PostgreSQL. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../helpers/harness.ts';
import { startTestServer } from '../helpers/harness.ts';
import { adminActor, makeUser } from '../helpers/fixtures.ts';
import { devilryLogin, GROUPS, ids } from './world.ts';
import type { DevilryClient } from './world.ts';

let server: TestServer;
let examiner: DevilryClient;
let root: DevilryClient;
let g: Record<'norsk' | 'french' | 'greek' | 'russian' | 'folds', number>;
let a: typeof g;
let subject: number;
let tag: string;

before(async () => {
  server = await startTestServer();
  const admin = await adminActor(server);
  const h = server.services.examination.hierarchy;
  tag = `${process.pid}${Math.floor(Math.random() * 1e6)}`;
  const user = async (name: string, first: string, last: string) => {
    const row = await makeUser(server, 1, `${name}_${tag}`);
    await server.services.db.updateTable('users').set({ first_name: first, last_name: last, email: `${name}@example.com` }).where('id', '=', row.id).execute();
    return row.username;
  };
  const ex = await makeUser(server, 2, `examiner_${tag}`);
  const node = await h.createNode(admin, { shortName: 'uio', longName: 'Universitetet' });
  subject = await h.createSubject(admin, { nodeId: node, shortName: `fold_${tag}`, longName: 'Øvingsfag' });
  const period = await h.createPeriod(admin, { subjectId: subject, shortName: `vår_${tag}`, longName: 'Vår', startTime: null, endTime: null });
  const assignment = await h.createAssignment(admin, {
    periodId: period, shortName: 'oblig1', longName: 'Oblig', publishingTime: '2024-01-01T00:00:00.000000Z', anonymous: false, deliveryTypes: 0, scalePointsPercent: 100,
  });
  const group = async (name: string, candidate: string, tags: string[] = []) =>
    h.createGroup(admin, { assignmentId: assignment, name, candidates: [{ username: candidate }], examiners: [ex.username], tags });
  g = {
    norsk: await group('Gruppe Åtte', await user('oyvind', 'Øyvind', 'Ålesund')),
    french: await group('ÉLAN', await user('emile', 'Émile', 'Ærø')),
    greek: await group('Ομάδα', await user('sokrates', 'Σωκράτης', 'Üñal'), ['ΟΔΟΣ']),
    russian: await group('дом', await user('dmitri', 'Дмитрий', 'Иванов')),
    folds: await group('İzmir \u212aelvin', await user('plain', 'Plain', 'Person')),
  };
  // Usernames are ASCII; candidate ids on an anonymous assignment are any text.
  const anonymous = await h.createAssignment(admin, {
    periodId: period, shortName: 'anon1', longName: 'Anonym', publishingTime: '2024-01-01T00:00:00.000000Z', anonymous: true, deliveryTypes: 0, scalePointsPercent: 100,
  });
  const candidate = async (name: string, candidateId: string) =>
    h.createGroup(admin, { assignmentId: anonymous, name, candidates: [{ username: `${name}_${tag}`, candidateId }], examiners: [ex.username] });
  a = {
    norsk: await candidate('oyvind', 'Æsir-1'),
    french: await candidate('emile', 'Été-2'),
    greek: await candidate('sokrates', 'ΑΘΗΝΑΣ-3'),
    russian: await candidate('dmitri', 'Жук-4'),
    folds: await candidate('plain', 'İstanbul-5'),
  };
  examiner = await devilryLogin(server, ex.username);
  root = await devilryLogin(server, (await makeUser(server, 5)).username);
});
after(() => server.close());

describe('Devilry: case-insensitive matching outside ASCII', () => {
  it('query words match Æ Ø Å É Ü Σ Д in names, tags and candidates whatever their case', async () => {
    const cases: [string, number[]][] = [
      ['Ål', [g.norsk]],
      ['ål', [g.norsk]],
      ['ÅTTE', [g.norsk]],
      ['øyVIND', [g.norsk]],
      ['ærø', [g.french]],
      ['élan', [g.french]],
      ['ÉMILE', [g.french]],
      ['üÑAL', [g.greek]],
      ['σωκράτης', [g.greek]],
      ['ΟΜΆΔΑ', [g.greek]],
      ['οδος', [g.greek]],
      ['οδοσ', [g.greek]],
      ['ДОМ', [g.russian]],
      ['дмитрий иванов', [g.russian]],
      ['izmir', [g.folds]],
      ['İZMİR', [g.folds]],
      ['KELVIN', [g.folds]],
      // Every group is on the subject "Øvingsfag".
      ['ØVINGSFAG', [...Object.values(g), ...Object.values(a)]],
      // Candidate ids on the anonymous assignment.
      ['æsir', [a.norsk]],
      ['ÉTÉ', [a.french]],
      ['αθηνας', [a.greek]],
      ['жук', [a.russian]],
      ['ISTANBUL', [a.folds]],
    ];
    for (const [query, expected] of cases) assert.deepEqual(ids(await examiner.get(GROUPS, { query })), expected, query);
  });

  it('icontains and iexact fold the same way; exact and contains stay case-sensitive', async () => {
    const filter = (field: string, comp: string, value: string) => examiner.get(GROUPS, { filters: [{ field, comp, value }] });
    const all = [...Object.values(g), ...Object.values(a)];
    const cases: [string, string, string, number[]][] = [
      ['candidates__identifier', 'icontains', 'æSIR', [a.norsk]],
      ['candidates__identifier', 'iexact', 'ÆSIR-1', [a.norsk]],
      ['candidates__identifier', 'iexact', 'été-2', [a.french]],
      ['candidates__identifier', 'icontains', 'αθηνας', [a.greek]],
      ['candidates__identifier', 'icontains', 'Αθηνασ-', [a.greek]],
      ['candidates__identifier', 'icontains', 'жУК', [a.russian]],
      ['candidates__identifier', 'iexact', 'istanbul-5', [a.folds]],
      ['candidates__identifier', 'contains', 'æsir', []],
      ['candidates__identifier', 'exact', 'æsir-1', []],
      ['parentnode__parentnode__parentnode__long_name', 'iexact', 'ØVINGSFAG', all],
      ['parentnode__parentnode__long_name', 'icontains', 'VÅR', all],
      ['parentnode__parentnode__short_name', 'iexact', `VÅR_${tag}`, all],
    ];
    for (const [field, comp, value, expected] of cases) assert.deepEqual(ids(await filter(field, comp, value)), expected, `${field} ${comp} ${value}`);
  });

  it('the hierarchy searches fold too', async () => {
    assert.deepEqual(ids(await root.get('/administrator/restfulsimplifiedsubject/', { query: 'øVINGS' })), [subject]);
    assert.deepEqual(ids(await root.get('/administrator/restfulsimplifiedsubject/', { filters: [{ field: 'long_name', comp: 'iexact', value: 'ØVINGSFAG' }] })), [subject]);
  });
});
