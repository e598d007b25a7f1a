/**
 * INGInious problems: their definitions (as task.yaml gives them), what students may see of
 * them, how an answer is checked, and how the problems the core can judge alone are graded.
 */

export const PROBLEM_TYPES = ['code', 'code_single_line', 'match', 'multiple_choice', 'file'] as const;
export type ProblemType = (typeof PROBLEM_TYPES)[number];

/** One problem as task.yaml defines it, with its id; unknown keys (plugin types) are kept. */
export interface ProblemDefinition {
  id: string;
  type: string;
  [key: string]: unknown;
}

export interface Choice {
  text: string;
  valid: boolean;
  feedback?: string;
}

/** A file handed in for a file problem. */
export interface UploadedFile {
  filename: string;
  data: Buffer;
}

/** What a submission carries before it is checked: form values (repeated fields as lists) and files. */
export interface RawAnswers {
  fields: Record<string, string[]>;
  files: Record<string, UploadedFile[]>;
}

/** A file answer as stored: its name, and where it is in the submission's file tree. */
export interface StoredFileAnswer {
  filename: string;
  path: string;
}

export type StoredAnswer = string | string[] | StoredFileAnswer;

export interface FileDefaults {
  maxFileBytes: number;
  allowedExts: readonly string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function choicesOf(problem: ProblemDefinition): Choice[] {
  const raw = Array.isArray(problem.choices) ? problem.choices : [];
  return raw.map((c) => (isObject(c) ? { text: String(c.text ?? ''), valid: c.valid === true, ...(typeof c.feedback === 'string' ? { feedback: c.feedback } : {}) } : { text: String(c), valid: false }));
}

/** What anyone registered may see of a problem: everything but the answers (reference §4). */
export function publicProblem(problem: ProblemDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = { ...problem, header: typeof problem.header === 'string' ? problem.header : '' };
  if (problem.type === 'match') delete out.answer;
  if (problem.type === 'multiple_choice') {
    out.choices = Object.fromEntries(choicesOf(problem).map((c, i) => [String(i), c.text]));
    delete out.valid;
  }
  return out;
}

/** The core grades a task alone when every problem has its answer in task.yaml. */
export function gradedInCore(problems: ProblemDefinition[]): boolean {
  return problems.length > 0 && problems.every((p) => p.type === 'multiple_choice' || p.type === 'match');
}

function fileProblemOf(problem: ProblemDefinition, defaults: FileDefaults): { maxBytes: number; exts: string[] } {
  const maxBytes = typeof problem.max_size === 'number' && problem.max_size > 0 ? problem.max_size : defaults.maxFileBytes;
  const exts = Array.isArray(problem.allowed_exts) && problem.allowed_exts.length > 0 ? problem.allowed_exts.map(String) : [...defaults.allowedExts];
  return { maxBytes, exts };
}

/** A problem's own complaint about its answer, or null when it is acceptable. */
function answerProblem(problem: ProblemDefinition, raw: RawAnswers, defaults: FileDefaults): string | null {
  const values = raw.fields[problem.id];
  switch (problem.type) {
    case 'code':
    case 'code_single_line':
      if (problem.optional === true) return values && values.length > 1 ? 'expects one value' : null;
      if (!values || values.length === 0 || values[0] === '') return 'is required';
      return values.length > 1 ? 'expects one value' : null;
    case 'match':
      if (!values || values.length === 0) return 'is required';
      return values.length > 1 ? 'expects one value' : null;
    case 'multiple_choice': {
      if (!values || values.length === 0) return 'needs a choice';
      const count = choicesOf(problem).length;
      if (problem.multiple !== true && values.length > 1) return 'takes exactly one choice';
      const bad = values.find((v) => !/^\d+$/.test(v.trim()) || Number(v) >= count);
      if (bad !== undefined) return `"${bad}" is not a choice index (0 to ${count - 1})`;
      if (new Set(values.map((v) => Number(v))).size !== values.length) return 'names a choice twice';
      return null;
    }
    case 'file': {
      const files = raw.files[problem.id];
      if (!files || files.length === 0) return 'needs a file';
      if (files.length > 1) return 'takes one file';
      const { maxBytes, exts } = fileProblemOf(problem, defaults);
      const file = files[0]!;
      // Case-sensitive, as upstream's `filename.endswith(exts)`: `hi.TXT` does not end with `.txt`.
      if (!exts.some((e) => file.filename.endsWith(e))) return `the file name must end with one of ${exts.join(' ')}`;
      if (file.data.length > maxBytes) return `the file is larger than ${maxBytes} bytes`;
      return null;
    }
    default:
      return null;
  }
}

/** Every problem's complaint (`<pid>: <message>`), in problem order; empty when the input is valid. */
export function answerProblems(problems: ProblemDefinition[], raw: RawAnswers, defaults: FileDefaults): string[] {
  return problems.flatMap((p) => {
    const problem = answerProblem(p, raw, defaults);
    return problem ? [`${p.id}: ${problem}`] : [];
  });
}

/** Where a file problem's file lands in the submission's tree. */
export function fileAnswerPath(problemId: string, filename: string): string {
  const base = filename.split(/[/\\]/).filter((p) => p !== '' && p !== '.' && p !== '..').at(-1) ?? 'file';
  return `${problemId}/${base}`;
}

/**
 * The answers to store, once checked: one key per problem (a string, a list of strings for
 * multiple-answer choices, a file reference), then every other form field unchanged (plugins
 * rely on them). Keys starting with `@` are the server's (metadata) and are not taken from the form.
 */
export function storedAnswers(problems: ProblemDefinition[], raw: RawAnswers): Record<string, StoredAnswer> {
  const out: Record<string, StoredAnswer> = {};
  const byId = new Map(problems.map((p) => [p.id, p]));
  for (const [key, values] of Object.entries(raw.fields)) {
    if (key.startsWith('@') || values.length === 0) continue;
    const problem = byId.get(key);
    const many = problem ? problem.type === 'multiple_choice' && problem.multiple === true : values.length > 1;
    out[key] = many ? values.map((v) => (problem ? String(Number(v)) : v)) : problem?.type === 'multiple_choice' ? String(Number(values[0])) : values[0]!;
  }
  for (const p of problems) {
    if (p.type === 'code' || p.type === 'code_single_line') out[p.id] ??= '';
    const file = p.type === 'file' ? raw.files[p.id]?.[0] : undefined;
    if (file) out[p.id] = { filename: file.filename, path: fileAnswerPath(p.id, file.filename) };
  }
  return out;
}

/** A result the core computed itself, shaped as a grader's. */
export interface CoreResult {
  result: 'success' | 'failed';
  grade: number;
  feedback: string;
  problems: Record<string, { result: 'success' | 'failed'; feedback: string }>;
}

function judge(problem: ProblemDefinition, answer: StoredAnswer | undefined): { ok: boolean; feedback: string } {
  if (problem.type === 'match') {
    const ok = typeof answer === 'string' && answer.trim() === String(problem.answer ?? '').trim();
    return { ok, feedback: ok ? 'Correct answer' : 'Wrong answer' };
  }
  const choices = choicesOf(problem);
  const picked = (Array.isArray(answer) ? answer : typeof answer === 'string' ? [answer] : []).map(Number);
  const valid = choices.flatMap((c, i) => (c.valid ? [i] : []));
  const ok =
    problem.multiple === true
      ? picked.length === valid.length && valid.every((i) => picked.includes(i))
      : picked.length === 1 && valid.includes(picked[0]!);
  const message = ok
    ? typeof problem.success_message === 'string' ? problem.success_message : 'Correct answer'
    : typeof problem.error_message === 'string'
      ? problem.error_message
      : problem.multiple === true
        ? 'Wrong answer. Make sure to select all the valid possibilities.'
        : 'Wrong answer.';
  const notes = picked.flatMap((i) => (choices[i]?.feedback ? [choices[i]!.feedback!] : []));
  return { ok, feedback: [message, ...notes].join('\n\n') };
}

/** Grades a task the core judges alone: 100 × correct problems / problems (reference §5.3). */
export function gradeInCore(problems: ProblemDefinition[], answers: Record<string, StoredAnswer>): CoreResult {
  const judged = problems.map((p) => [p.id, judge(p, answers[p.id])] as const);
  const correct = judged.filter(([, j]) => j.ok).length;
  const wrong = judged.length - correct;
  return {
    result: wrong === 0 ? 'success' : 'failed',
    grade: (100 * correct) / judged.length,
    feedback: wrong === 0 ? 'You answered every question correctly.' : `You made ${wrong} error${wrong === 1 ? '' : 's'} in this task.`,
    problems: Object.fromEntries(judged.map(([id, j]) => [id, { result: j.ok ? 'success' : 'failed', feedback: j.feedback }])),
  };
}
