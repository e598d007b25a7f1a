import type { Reply } from './http.ts';

/**
 * A permission matrix: one row per route, one expected status per caller. `call` makes the
 * request for one caller (on fresh objects where it writes, so every cell is judged on its own).
 */
export interface MatrixRow<Caller extends string> {
  name: string;
  expect: Record<Caller, number>;
  call: (who: Caller) => Promise<Reply>;
}

/** Runs every cell; answers the ones that differ, each with what came back. */
export async function wrongCells<Caller extends string>(callers: readonly Caller[], rows: readonly MatrixRow<Caller>[]): Promise<string[]> {
  const wrong: string[] = [];
  for (const row of rows) {
    for (const who of callers) {
      const res = await row.call(who);
      if (res.status !== row.expect[who]) wrong.push(`${row.name} as ${who}: ${res.status} (expected ${row.expect[who]}) ${res.text.slice(0, 120)}`);
    }
  }
  return wrong;
}

/** Expected statuses in the order of `callers`. */
export function statuses<Caller extends string>(callers: readonly Caller[], codes: readonly number[]): Record<Caller, number> {
  if (codes.length !== callers.length) throw new Error(`${codes.length} statuses for ${callers.length} callers`);
  return Object.fromEntries(callers.map((c, i) => [c, codes[i]])) as Record<Caller, number>;
}
