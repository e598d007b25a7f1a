/**
 * The Python type name of a JSON value (`dict`, `list`, `str`, …): the wording DRF-compatible
 * error messages use ("Expected a list of items but got type "dict".").
 */
export function typeName(v: unknown): string {
  if (v === null) return 'NoneType';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'dict';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  return 'str';
}
