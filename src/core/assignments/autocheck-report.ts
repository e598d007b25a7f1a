import type { GradeResult } from '../../grading/results/types.ts';

/**
 * Hive's AutoCheck response carries what the check found in its `contents`, as Hive shows
 * autocheck results: one answer to the exercise's `AutoCheck` field (made at the exercise's first
 * check: text, written by staff only, not by students), holding every test the student may see
 * with its name, status, score and output (or each problem's result and feedback, for harnesses
 * that report problems rather than tests), then the harness's feedback.
 */
export const AUTOCHECK_FIELD = {
  name: 'AutoCheck',
  description: 'What the automatic check found: each test with its status, score and output.',
  type: 'text',
  order: 1000,
  required: false,
  staff_responses: true,
  hanich_responses: false,
  has_value: true,
  segel_only: false,
  metadata: JSON.stringify({ assay: 'autocheck' }),
} as const;

const points = (score: number | null | undefined, max: number | null | undefined) =>
  score === null || score === undefined ? null : `${score}${max !== null && max !== undefined ? `/${max}` : ''}`;

export function autocheckReport(grade: GradeResult, summary: string | null): string {
  const blocks: string[] = [];
  if (summary) blocks.push(summary);
  // The response is the student's to read: tests hidden from them stay out.
  for (const t of grade.tests.filter((test) => test.visibility === 'visible')) {
    const head = [t.status ?? 'ran', points(t.score, t.maxScore)].filter((x) => x !== null).join(', ');
    blocks.push(`${t.name}: ${head}${t.output ? `\n${t.output.replace(/\n+$/, '')}` : ''}`);
  }
  if (grade.tests.length === 0) {
    for (const [name, p] of Object.entries(grade.problems)) {
      const head = [p.result ?? null, points(p.score, null)].filter((x) => x !== null).join(', ') || 'scored';
      blocks.push(`${name}: ${head}${p.feedback ? `\n${p.feedback.replace(/\n+$/, '')}` : ''}`);
    }
  }
  if (grade.feedback.trim()) blocks.push(grade.feedback.replace(/\n+$/, ''));
  return blocks.join('\n\n');
}
