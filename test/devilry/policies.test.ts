import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Actor } from '../../src/core/actor.ts';
import type { DevilryRole, Operation } from '../../src/core/examination/policies.ts';
import { allows, groupVisibility, hasResource } from '../../src/core/examination/policies.ts';

const NOW = '2024-05-01T00:00:00.000000Z';
const actor = (clearance: Actor['clearance']): Actor => ({ id: 7, username: 'u', clearance });

describe('visibility per role', () => {
  const cases: [string, Actor, DevilryRole, ReturnType<typeof groupVisibility>][] = [
    ['superuser administrator sees everything', actor(5), 'administrator', { kind: 'all' }],
    ['other administrators see the courses they teach', actor(3), 'administrator', { kind: 'instructor', userId: 7 }],
    ['examiners see groups they examine, once published', actor(2), 'examiner', { kind: 'member', userId: 7, memberRole: 'examiner', publishedBefore: NOW }],
    ['a superuser as examiner is only an examiner', actor(5), 'examiner', { kind: 'member', userId: 7, memberRole: 'examiner', publishedBefore: NOW }],
    ['students see groups they are candidates in', actor(1), 'student', { kind: 'member', userId: 7, memberRole: 'candidate', publishedBefore: null }],
  ];
  for (const [name, who, role, expected] of cases) it(name, () => assert.deepEqual(groupVisibility(who, role, NOW), expected));
});

describe('operations per role and resource (reference §1.2)', () => {
  const table: [DevilryRole, string, string][] = [
    ['administrator', 'node', 'SRCUD'],
    ['administrator', 'assignmentgroup', 'SRCUD'],
    ['administrator', 'deadline', 'SRCD'],
    ['administrator', 'staticfeedback', 'SRD'],
    ['examiner', 'assignmentgroup', 'SRU'],
    ['examiner', 'deadline', 'SRCUD'],
    ['examiner', 'staticfeedback', 'SRC'],
    ['examiner', 'subject', 'SR'],
    ['student', 'assignmentgroup', 'SR'],
    ['student', 'delivery', 'SRCU'],
    ['student', 'filemeta', 'SRC'],
    ['student', 'relatedstudentkeyvalue', 'SR'],
  ];
  const ops: [Operation, string][] = [['search', 'S'], ['read', 'R'], ['create', 'C'], ['update', 'U'], ['delete', 'D']];
  for (const [role, model, letters] of table) {
    it(`${role} ${model}: ${letters}`, () => {
      assert.equal(hasResource(role, model), true);
      for (const [op, letter] of ops) assert.equal(allows(role, model, op), letters.includes(letter), `${op}`);
    });
  }
  it('resources a role does not have', () => {
    assert.equal(hasResource('examiner', 'node'), false);
    assert.equal(hasResource('student', 'candidate'), false);
    assert.equal(hasResource('student', 'examiner'), false);
    assert.equal(allows('examiner', 'node', 'search'), false);
  });
});
