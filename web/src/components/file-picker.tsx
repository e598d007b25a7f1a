// Choosing files to hand in: several files, a whole folder, or either dragged onto the drop zone.
// Every file keeps its path inside the chosen folder; paths the server would refuse and sizes over
// the limit are named before anything is sent.
import { useState } from 'react';
import type { DragEvent } from 'react';
import { bytes } from '../format.tsx';

export interface PickedFile {
  path: string;
  file: File;
}

/** Why the server would refuse this path, or null. */
export function pathProblem(path: string): string | null {
  if (path === '' || path.length > 255) return 'has an empty or over-long name';
  if (path.startsWith('/') || path.includes('\\')) return 'must be a relative path with "/" between folders';
  if (path.split('/').some((part) => part === '..' || part === '.' || part === '')) return 'names a folder outside the submission';
  if ([...path].some((c) => c.charCodeAt(0) < 32)) return 'contains control characters';
  return null;
}

/** The folder's own name is left out: a folder `hw1` holding `main.py` hands in `main.py`. */
function withinFolder(relativePath: string): string {
  const parts = relativePath.split('/');
  return parts.length > 1 ? parts.slice(1).join('/') : relativePath;
}

function readEntry(entry: FileSystemEntry, prefix: string): Promise<PickedFile[]> {
  if (entry.isFile) {
    return new Promise((resolve, reject) => (entry as FileSystemFileEntry).file((file) => resolve([{ path: prefix + entry.name, file }]), reject));
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  return new Promise((resolve, reject) => {
    const all: FileSystemEntry[] = [];
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) {
          void Promise.all(all.map((child) => readEntry(child, `${prefix}${entry.name}/`))).then((lists) => resolve(lists.flat()), reject);
        } else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function dropped(event: DragEvent): Promise<PickedFile[]> {
  const entries = [...event.dataTransfer.items].map((item) => item.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null);
  if (entries.length === 0) return [...event.dataTransfer.files].map((file) => ({ path: file.name, file }));
  // One dropped folder hands in its content; several things keep their names.
  if (entries.length === 1 && entries[0]!.isDirectory) {
    return (await readEntry(entries[0]!, '')).map((p) => ({ ...p, path: withinFolder(p.path) }));
  }
  return (await Promise.all(entries.map((entry) => readEntry(entry, '')))).flat();
}

export function FilePicker({ files, onChange, maxBytes }: { files: PickedFile[]; onChange: (files: PickedFile[]) => void; maxBytes: number }) {
  const [over, setOver] = useState(false);
  const add = (more: PickedFile[]) => {
    const byPath = new Map(files.map((f) => [f.path, f]));
    for (const f of more) byPath.set(f.path, f);
    onChange([...byPath.values()].sort((a, b) => a.path.localeCompare(b.path)));
  };
  const total = files.reduce((sum, f) => sum + f.file.size, 0);
  return (
    <div>
      <div
        className={`drop ${over ? 'drop-over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          void dropped(e).then(add);
        }}
      >
        <p>Drop files or a folder here, or</p>
        <label className="button">
          Choose files
          <input type="file" multiple className="visually-hidden" onChange={(e) => add([...(e.target.files ?? [])].map((file) => ({ path: file.name, file })))} />
        </label>{' '}
        <label className="button">
          Choose a folder
          <input
            type="file"
            className="visually-hidden"
            ref={(input) => input?.setAttribute('webkitdirectory', '')}
            onChange={(e) => add([...(e.target.files ?? [])].map((file) => ({ path: withinFolder(file.webkitRelativePath || file.name), file })))}
          />
        </label>
      </div>
      {files.length > 0 && (
        <ul className="picked" aria-label="Files to hand in">
          {files.map((f) => {
            const problem = pathProblem(f.path);
            return (
              <li key={f.path} className={problem ? 'bad' : ''}>
                <code>{f.path}</code> <span className="muted">{bytes(f.file.size)}</span>
                {problem && <span className="error"> — this path {problem}</span>}
                <button type="button" aria-label={`Remove ${f.path}`} onClick={() => onChange(files.filter((x) => x !== f))}>
                  Remove
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <p className={total > maxBytes ? 'error' : 'muted'} role={total > maxBytes ? 'alert' : undefined}>
        {files.length} files, {bytes(total)} of at most {bytes(maxBytes)}
        {total > maxBytes ? ': too large to hand in. Remove some files.' : ''}
      </p>
    </div>
  );
}
