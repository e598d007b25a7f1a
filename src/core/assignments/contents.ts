import type { Field } from '../courses/fields.service.ts';
import { doesNotExist } from '../errors.ts';
import type { FieldProblem } from '../errors.ts';

/** One answer of a response: the text given for one field of the exercise. */
export interface ContentInput {
  field: number;
  content: string;
}

export interface ContentRules {
  /** Students fill `hanich_responses` fields; the grading side fills `staff_responses` ones. */
  side: 'student' | 'staff';
  /** Required fields of that side must be answered (a Submission, or a Redo/Done verdict). */
  enforceRequired: boolean;
}

const NUMBER = /^\s*-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

function choicesOf(content: string): string[] | null {
  try {
    const parsed: unknown = JSON.parse(content);
    if (Array.isArray(parsed) && parsed.every((c) => typeof c === 'string')) return parsed;
  } catch {
    /* a single choice */
  }
  return null;
}

function valueProblem(field: Field, content: string): string | null {
  const { lower_limit: lower, upper_limit: upper } = field;
  switch (field.type) {
    case 'number': {
      if (!NUMBER.test(content)) return 'A valid number is required.';
      const n = Number(content);
      if (lower !== null && n < lower) return `Ensure this value is greater than or equal to ${lower}.`;
      if (upper !== null && n > upper) return `Ensure this value is less than or equal to ${upper}.`;
      return null;
    }
    case 'text': {
      const length = [...content].length;
      if (lower !== null && length < lower) return `Ensure this field has at least ${lower} characters.`;
      if (upper !== null && length > upper) return `Ensure this field has no more than ${upper} characters.`;
      return null;
    }
    case 'multiple': {
      const choices = field.choices ?? [];
      return choices.includes(content) ? null : `"${content}" is not a valid choice.`;
    }
    case 'multiResponse': {
      // A JSON list of choices, or one choice on its own.
      const picked = choicesOf(content) ?? [content];
      const choices = field.choices ?? [];
      const bad = picked.find((c) => !choices.includes(c));
      if (bad !== undefined) return `"${bad}" is not a valid choice.`;
      if (lower !== null && picked.length < lower) return `Ensure at least ${lower} choices are selected.`;
      if (upper !== null && picked.length > upper) return `Ensure no more than ${upper} choices are selected.`;
      return null;
    }
  }
}

/**
 * Checks a response's answers against the exercise's fields: each names a field of this exercise
 * (once), the responder's side may fill it, and the value fits its type, limits and choices. Every
 * problem is reported at once, at `contents.<i>.field` or `contents.<i>.content`.
 */
export function contentProblems(contents: ContentInput[], fields: Field[], rules: ContentRules): FieldProblem[] {
  const byId = new Map(fields.map((f) => [f.id, f]));
  const problems: FieldProblem[] = [];
  const seen = new Set<number>();
  contents.forEach((c, i) => {
    const field = byId.get(c.field);
    if (!field) {
      problems.push(doesNotExist(`contents.${i}.field`, c.field));
      return;
    }
    if (seen.has(field.id)) {
      problems.push({ field: `contents.${i}.field`, code: 'unique', message: 'Each field may be answered once.' });
      return;
    }
    seen.add(field.id);
    const mayFill = rules.side === 'staff' ? field.staff_responses || field.hanich_responses : field.hanich_responses && !field.segel_only;
    if (!mayFill) {
      problems.push({ field: `contents.${i}.field`, code: 'invalid', message: `You may not answer the field "${field.name}".` });
      return;
    }
    if (c.content.trim() === '') {
      if (field.required && rules.enforceRequired) problems.push({ field: `contents.${i}.content`, code: 'blank', message: 'This field may not be blank.' });
      return;
    }
    const problem = valueProblem(field, c.content);
    if (problem) problems.push({ field: `contents.${i}.content`, code: 'invalid', message: problem });
  });
  if (rules.enforceRequired) {
    for (const field of fields) {
      const ours = rules.side === 'staff' ? field.staff_responses && !field.hanich_responses : field.hanich_responses && !field.segel_only;
      if (field.required && ours && !seen.has(field.id)) {
        problems.push({ field: 'contents', code: 'required', message: `The field "${field.name}" is required.` });
      }
    }
  }
  return problems;
}
