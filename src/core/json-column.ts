/** JSON kept in a text column: parsed back (text that is not JSON comes back as it is). */
export function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const toJson = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));
