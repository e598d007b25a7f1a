import { refusals } from '../../../core/assessments/access.ts';
import type { AutolabParams } from '../params.ts';

/** The named parameters' text, in order; the first one missing is a 400 `Required parameter '<name>' not found`. */
export function required<const Names extends readonly string[]>(params: AutolabParams, ...names: Names): { [K in keyof Names]: string } {
  return names.map((name) => {
    const value = params.text(name);
    if (value === undefined) throw refusals.missing(name);
    return value;
  }) as { [K in keyof Names]: string };
}
