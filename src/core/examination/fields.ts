/** Checks of submitted values, collecting Django-style field errors (`fielderrors`). */
import { AssayError } from '../errors.ts';
import type { FieldProblem } from '../errors.ts';
import { parseWireDatetime } from './search.ts';

export class FieldChecker {
  readonly problems: FieldProblem[] = [];

  constructor(private readonly input: Record<string, unknown>) {}

  private fail(field: string, message: string): undefined {
    this.problems.push({ field, code: 'invalid', message });
    return undefined;
  }

  private present(field: string, required: boolean): boolean {
    const v = this.input[field];
    if (v === undefined || v === null || v === '') {
      if (required) this.fail(field, 'This field is required.');
      return false;
    }
    return true;
  }

  int(field: string, opts: { required?: boolean; min?: number } = {}): number | undefined {
    if (!this.present(field, opts.required ?? true)) return undefined;
    const v = this.input[field];
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*[+-]?\d{1,15}\s*$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n)) return this.fail(field, 'Enter a whole number.');
    if (opts.min !== undefined && n < opts.min) return this.fail(field, `Ensure this value is greater than or equal to ${opts.min}.`);
    return n;
  }

  text(field: string, opts: { required?: boolean; max?: number } = {}): string | undefined {
    if (!this.present(field, opts.required ?? true)) return undefined;
    const v = this.input[field];
    if (typeof v !== 'string') return this.fail(field, 'Enter a valid value.');
    if (opts.max !== undefined && v.length > opts.max) return this.fail(field, `Ensure this value has at most ${opts.max} characters (it has ${v.length}).`);
    return v;
  }

  bool(field: string, fallback: boolean): boolean | undefined {
    const v = this.input[field];
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && /^(true|false|1|0)$/i.test(v)) return /^(true|1)$/i.test(v);
    if (v === 1 || v === 0) return v === 1;
    return this.fail(field, `'${String(v)}' value must be either True or False.`);
  }

  datetime(field: string, opts: { required?: boolean } = {}): string | undefined {
    if (!this.present(field, opts.required ?? true)) return undefined;
    const v = this.input[field];
    const t = typeof v === 'string' ? parseWireDatetime(v) : null;
    if (!t) return this.fail(field, 'Enter a valid date/time.');
    return t;
  }

  /** Throws the collected problems as one `invalid` error (400 with `fielderrors`). */
  done(): void {
    if (this.problems.length > 0) throw AssayError.invalid(this.problems);
  }
}

/** Keys other than the editable ones are refused by name (reference §6.1); `id`/`pk` are ignored. */
export function assertEditable(input: Record<string, unknown>, editable: readonly string[]): void {
  for (const key of Object.keys(input)) {
    if (key !== 'id' && key !== 'pk' && !editable.includes(key)) throw new AssayError('forbidden', `Field ${key} can not be edited.`);
  }
}
