// Work in progress kept in localStorage, so a reload, an expired session or a lost connection
// loses nothing: the files being edited for an exercise, a comment being written.

const PREFIX = 'assay.draft.';

export function loadDraft<T>(key: string): T | null {
  try {
    const text = localStorage.getItem(PREFIX + key);
    return text === null ? null : (JSON.parse(text) as T);
  } catch {
    return null;
  }
}

export function saveDraft(key: string, value: unknown): void {
  try {
    localStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // A full or disabled storage: the draft lives on in memory only.
  }
}

export function dropDraft(key: string): void {
  localStorage.removeItem(PREFIX + key);
}
