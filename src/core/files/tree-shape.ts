import type { FieldProblem } from '../errors.ts';
import { pathProblem } from './paths.ts';

/**
 * Problems with a list of paths meant to form a real directory tree (an exercise's handout or
 * harness): each path legal, no duplicate, no file that is also a directory. `field` names the
 * list in the problems (`files.<i>.path`).
 */
export function treeShapeProblems(paths: string[], field = 'files'): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const dirs = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const seen = new Set<string>();
  paths.forEach((p, i) => {
    const at = `${field}.${i}.path`;
    const illegal = pathProblem(p);
    if (illegal) problems.push({ field: at, code: 'invalid_path', message: `Illegal path "${p}": ${illegal}.` });
    else if (seen.has(p)) problems.push({ field: at, code: 'unique', message: `Duplicate path "${p}".` });
    else if (dirs.has(p)) problems.push({ field: at, code: 'invalid_path', message: `Illegal path "${p}": it is also a directory.` });
    seen.add(p);
  });
  return problems;
}
