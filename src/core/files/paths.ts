/** Bytes (UTF-8) one component of a path may take: NAME_MAX of Linux and of the common file systems. */
export const MAX_COMPONENT_BYTES = 255;

/**
 * The one rule for paths inside a file tree (handouts, submissions, feedback).
 * A path is relative and may not leave its tree: no leading or trailing `/`, no `.` or `..`
 * component, no component over 255 bytes, no NUL, not empty. A doubled slash inside a path (`a//b`) is kept literally, as
 * nbgrader's exchange has always allowed it; it cannot escape the tree.
 */
export function pathProblem(path: string): string | null {
  if (path.length === 0) return 'empty path';
  if (path.includes('\0')) return 'NUL character in path';
  if (path.startsWith('/')) return 'absolute path';
  if (path.endsWith('/')) return 'trailing slash';
  for (const part of path.split('/')) {
    if (part === '.' || part === '..') return `"${part}" component`;
    // No file system stores a longer name: the file could never be laid out for grading.
    if (Buffer.byteLength(part, 'utf8') > MAX_COMPONENT_BYTES) return `a name longer than ${MAX_COMPONENT_BYTES} bytes`;
  }
  return null;
}

export function isLegalPath(path: string): boolean {
  return pathProblem(path) === null;
}

/** The last component, safe to use as a download file name. */
export function baseName(path: string): string {
  const parts = path.split(/[/\\]/).filter((p) => p.length > 0);
  return parts[parts.length - 1] ?? 'file';
}
