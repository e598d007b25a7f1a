import { setImmediate as nextTurn } from 'node:timers/promises';
import type * as DolosModule from '@dodona/dolos-lib';

/**
 * Source-code similarity with Dolos (`@dodona/dolos-lib`, Ghent University's plagiarism detector):
 * each document is parsed by tree-sitter into a stream of syntax-tree tokens (names, literals and
 * layout do not count), hashed into k-grams and winnowed into fingerprints; two documents are as
 * similar as the share of their fingerprints they have in common. The template (handout and
 * reference solution) goes in as Dolos's ignored file: its fingerprints match nobody; nor do
 * fingerprints most of a class shares (COMMON_SHARE).
 *
 * The work is done in steps, yielding to the event loop between documents and between batches of
 * pairs, so the server that computes a report keeps answering while it does.
 */

/** One file of a submission or of the template. */
export interface SourceFile {
  path: string;
  text: string;
}

/** Where a file lies in the document it was joined into (lines from 1). */
export interface DocumentFile {
  path: string;
  first_line: number;
  lines: number;
}

/** A submission's files of the report's language, joined in path order: what Dolos compares. */
export interface JoinedDocument {
  text: string;
  files: DocumentFile[];
}

/** A region of a document: rows and columns from 0, as Dolos counts them. */
export type Span = [startRow: number, startCol: number, endRow: number, endCol: number];

export interface Fragment {
  left: Span;
  right: Span;
}

export interface ScoredPair {
  /** Indexes into the documents given, left < right. */
  left: number;
  right: number;
  similarity: number;
  longest: number;
  overlap: number;
  fragments: Fragment[];
}

export type AnalysisPhase = 'fingerprinting' | 'comparing';

export interface AnalysisOptions {
  /** The most similar pairs kept (with their fragments); the others are counted only. */
  keep: number;
  /** Told after each step: the phase, steps done, steps in the phase. */
  progress?: (phase: AnalysisPhase, done: number, total: number) => Promise<void> | void;
}

export interface Analysis {
  pairs: ScoredPair[];
  /** Pairs compared in all. */
  compared: number;
}

/**
 * Code that more than this share of the documents (and more than COMMON_MIN of them) have in
 * common is left out as the template is (Dolos's `maxFingerprintCount`): an idiom a whole class
 * writes alike is no sign of copying, and comparing it in every pair is what makes a large class
 * slow.
 */
export const COMMON_SHARE = 0.1;
export const COMMON_MIN = 10;

/** Fragments kept per pair (the longest first). */
const MAX_FRAGMENTS = 200;
/** Pairs compared between two yields to the event loop. */
const PAIR_BATCH = 400;

type DolosLib = typeof DolosModule;
let loaded: Promise<DolosLib> | null = null;
/** The library and its tree-sitter parsers load on first use (not with every server start). */
function dolos(): Promise<DolosLib> {
  loaded ??= import('@dodona/dolos-lib');
  return loaded;
}

/** The languages the library parses, with their file extensions. */
export async function languages(): Promise<{ name: string; extensions: string[] }[]> {
  const { LanguagePicker } = await dolos();
  return LanguagePicker.languages.map((l) => ({ name: l.name, extensions: [...l.extensions] }));
}

/**
 * The language most files are written in (by extension), among those the library parses; null
 * when no file is in one of them. A tie goes to the language listed first.
 */
export async function pickLanguage(paths: string[]): Promise<{ name: string; extensions: string[] } | null> {
  let best: { name: string; extensions: string[] } | null = null;
  let bestCount = 0;
  for (const language of await languages()) {
    const count = paths.filter((p) => matches(p, language.extensions)).length;
    if (count > bestCount) [best, bestCount] = [language, count];
  }
  return best;
}

export function matches(path: string, extensions: string[]): boolean {
  const lower = path.toLowerCase();
  return extensions.some((e) => lower.endsWith(e));
}

/** The files in the language's extensions, in path order, one after the other. */
export function joinFiles(files: SourceFile[], extensions: string[]): JoinedDocument {
  const kept = files.filter((f) => matches(f.path, extensions)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const out: DocumentFile[] = [];
  const texts: string[] = [];
  let line = 1;
  for (const f of kept) {
    const text = f.text.endsWith('\n') ? f.text.slice(0, -1) : f.text;
    const lines = text.split('\n').length;
    out.push({ path: f.path, first_line: line, lines });
    texts.push(text);
    line += lines;
  }
  return { text: texts.join('\n'), files: out };
}

const span = (r: { startRow: number; startCol: number; endRow: number; endCol: number }): Span => [r.startRow, r.startCol, r.endRow, r.endCol];

/**
 * Compares every two documents (at least two) in `language`, with `template` ignored, and keeps
 * the `keep` most similar pairs (similarity above 0, the highest first, ties by longest fragment)
 * with their matching fragments.
 */
export async function analyse(language: string, documents: string[], template: string, options: AnalysisOptions): Promise<Analysis> {
  const lib = await dolos();
  const defaults = new lib.Options();
  const tokenizer = await (await new lib.LanguagePicker().findLanguage(language)).createTokenizer({ includeComments: false });
  const common = Math.max(COMMON_MIN, Math.ceil(COMMON_SHARE * documents.length));
  const index = new lib.FingerprintIndex(defaults.kgramLength, defaults.kgramsInWindow, false, common);
  const progress = options.progress ?? (() => undefined);

  for (const [i, text] of documents.entries()) {
    index.addFiles([tokenizer.tokenizeFile(new lib.File(String(i), text))]);
    await progress('fingerprinting', i + 1, documents.length);
    await nextTurn();
  }
  // As Dolos does: the template after the files, so each fingerprint it holds is ignored in all of them.
  if (template.trim() !== '') index.addIgnoredFile(tokenizer.tokenizeFile(new lib.File('template', template)));

  const entries = index.entries();
  const total = (entries.length * (entries.length - 1)) / 2;
  const scored: Omit<ScoredPair, 'fragments'>[] = [];
  let done = 0;
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      const pair = new lib.Pair(entries[i]!, entries[j]!);
      if (pair.similarity > 0) scored.push({ left: i, right: j, similarity: pair.similarity, longest: pair.longest, overlap: pair.overlap });
      done++;
      if (done % PAIR_BATCH === 0) {
        await progress('comparing', done, total);
        await nextTurn();
      }
    }
  }
  await progress('comparing', total, total);
  scored.sort((a, b) => b.similarity - a.similarity || b.longest - a.longest || a.left - b.left || a.right - b.right);
  const pairs: ScoredPair[] = [];
  for (const s of scored.slice(0, options.keep)) {
    // Entries come in the order the documents were added.
    const fragments = new lib.Pair(entries[s.left]!, entries[s.right]!)
      .buildFragments()
      .map((f) => ({ left: span(f.leftSelection), right: span(f.rightSelection), size: f.pairs.length }))
      .sort((a, b) => b.size - a.size)
      .slice(0, MAX_FRAGMENTS)
      .sort((a, b) => a.left[0] - b.left[0] || a.left[1] - b.left[1])
      .map(({ left: l, right: r }) => ({ left: l, right: r }));
    pairs.push({ ...s, fragments });
  }
  return { pairs, compared: total };
}
