import type { TestServer } from '../helpers/harness.ts';
import type { Person } from './fixture.ts';
import { person, syncCourse, tokenMinter } from './fixture.ts';

export const COURSE_YAML = `name: Intro Systems
semester: S25
start_at: "2025-01-01T00:00:00Z"
end_at: "2025-06-01T00:00:00Z"
subjects:
  - symbol: SYS
    name: Systems
    modules:
      - name: Labs
        order: 1
`;

export const HW1_YAML = `name: Homework One
module: SYS/Labs
order: 1
description: Bits and bytes
download: true
preview: PDF
start_at: "2025-01-05T00:00:00Z"
due_at: "2025-01-20T23:59:00Z"
end_at: "2025-01-25T00:00:00Z"
max_submissions: 3
problems:
  - name: Correctness
    max_score: 10
  - name: Style
    max_score: 5.5
`;

export const HW2_YAML = `name: Homework Two
module: SYS/Labs
order: 2
download: true
start_at: "2025-02-01T00:00:00Z"
due_at: "2025-02-10T00:00:00Z"
end_at: "2025-02-12T00:00:00Z"
`;

export const LAB_YAML = `name: Pair Lab
module: SYS/Labs
order: 3
start_at: "2025-01-01T00:00:00Z"
problems:
  - name: Score
    max_score: 100
`;

export interface Cast {
  courseId: number;
  course: string;
  instructor: Person;
  assistant: Person;
  student: Person;
  student2: Person;
  student3: Person;
  outsider: Person;
  admin: Person;
  mint: Awaited<ReturnType<typeof tokenMinter>>;
}

/** The course `sys` (hw1 released, hw2 not yet, lab), its people and their tokens. */
export async function makeAutolabCourse(server: TestServer, slug = 'sys'): Promise<Cast> {
  const courseId = await syncCourse(server, slug, COURSE_YAML, [
    { slug: 'hw1', yaml: HW1_YAML, trees: { handout: { 'hw1-handout.tar': 'TARBALL' }, preview: { 'writeup.pdf': '%PDF-1.4 writeup' } } },
    { slug: 'hw2', yaml: HW2_YAML, trees: { handout: { 'a.txt': 'A', 'b/c.txt': 'C' } } },
    { slug: 'lab', yaml: LAB_YAML },
  ]);
  const mint = await tokenMinter(server);
  return {
    courseId,
    course: slug,
    instructor: await person(server, mint, { courseId, role: 'instructor' }),
    assistant: await person(server, mint, { courseId, role: 'checker' }),
    student: await person(server, mint, { courseId, role: 'student' }),
    student2: await person(server, mint, { courseId, role: 'student' }),
    student3: await person(server, mint, { courseId, role: 'student' }),
    outsider: await person(server, mint),
    admin: await person(server, mint, { clearance: 5 }),
    mint,
  };
}
