// CodeMirror 6 views: a read-only file with staff comments shown under the lines they refer to,
// an editor, and a side-by-side diff. The language comes from the file name and loads on demand.
import { defaultHighlightStyle, LanguageDescription, syntaxHighlighting } from '@codemirror/language';
import { languages } from '@codemirror/language-data';
import { MergeView } from '@codemirror/merge';
import { Compartment, EditorState, StateField } from '@codemirror/state';
import type { Extension, Range } from '@codemirror/state';
import { Decoration, EditorView, lineNumbers, WidgetType } from '@codemirror/view';
import type { DecorationSet } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';

export interface LineNote {
  line: number;
  author: string;
  text: string;
}

/** Loads the language for `filename` into `compartment` once it has arrived. */
function loadLanguage(view: EditorView, compartment: Compartment, filename: string): void {
  const description = LanguageDescription.matchFilename(languages, filename);
  if (!description) return;
  void description.load().then((support) => {
    if (!view.dom.isConnected) return;
    view.dispatch({ effects: compartment.reconfigure(support) });
  });
}

class NoteWidget extends WidgetType {
  constructor(readonly notes: LineNote[]) {
    super();
  }
  override eq(other: NoteWidget) {
    return other.notes === this.notes;
  }
  toDOM() {
    const box = document.createElement('div');
    box.className = 'line-notes';
    for (const note of this.notes) {
      const item = document.createElement('div');
      item.className = 'line-note';
      const who = document.createElement('strong');
      who.textContent = `${note.author}: `;
      item.append(who, document.createTextNode(note.text));
      box.append(item);
    }
    return box;
  }
}

function notesField(notes: LineNote[]): Extension {
  const build = (state: EditorState): DecorationSet => {
    const byLine = new Map<number, LineNote[]>();
    for (const note of notes) {
      const line = Math.min(Math.max(note.line, 1), state.doc.lines);
      byLine.set(line, [...(byLine.get(line) ?? []), note]);
    }
    const ranges: Range<Decoration>[] = [...byLine.entries()]
      .sort(([a], [b]) => a - b)
      .map(([line, list]) => Decoration.widget({ widget: new NoteWidget(list), block: true, side: 1 }).range(state.doc.line(line).to));
    return Decoration.set(ranges);
  };
  return StateField.define<DecorationSet>({
    create: build,
    update: (value, tr) => value.map(tr.changes),
    provide: (field) => EditorView.decorations.from(field),
  });
}

/** Lines to mark in a CodeView (from 1, inclusive), e.g. the fragments two submissions share. */
export interface LineMark {
  from: number;
  to: number;
  className: string;
}

function marksField(marks: LineMark[]): Extension {
  return StateField.define<DecorationSet>({
    create: (state) => {
      const ranges: Range<Decoration>[] = [];
      for (const mark of marks) {
        const last = Math.min(Math.max(mark.to, 1), state.doc.lines);
        for (let line = Math.min(Math.max(mark.from, 1), last); line <= last; line++) ranges.push(Decoration.line({ class: mark.className }).range(state.doc.line(line).from));
      }
      return Decoration.set(ranges, true);
    },
    update: (value, tr) => value.map(tr.changes),
    provide: (field) => EditorView.decorations.from(field),
  });
}

const theme = [EditorView.theme({ '&': { fontSize: '14px' }, '.cm-scroller': { fontFamily: 'ui-monospace, monospace' } }), syntaxHighlighting(defaultHighlightStyle, { fallback: true })];

export function CodeView({
  filename,
  text,
  notes = [],
  onLineClick,
  label,
  marks = [],
  scrollTo,
}: {
  filename: string;
  text: string;
  notes?: LineNote[];
  onLineClick?: (line: number) => void;
  label: string;
  marks?: LineMark[];
  /** A line (from 1) brought to the top of the view. */
  scrollTo?: number;
}) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const language = new Compartment();
    const view = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: text,
        extensions: [
          lineNumbers(onLineClick ? { domEventHandlers: { mousedown: (v, line) => (onLineClick(v.state.doc.lineAt(line.from).number), true) } } : {}),
          EditorState.readOnly.of(true),
          EditorView.editable.of(false),
          EditorView.contentAttributes.of({ 'aria-label': label, tabindex: '0' }),
          language.of([]),
          notesField(notes),
          marksField(marks),
          theme,
        ],
      }),
    });
    if (scrollTo !== undefined) view.dispatch({ effects: EditorView.scrollIntoView(view.state.doc.line(Math.min(Math.max(scrollTo, 1), view.state.doc.lines)).from, { y: 'start', yMargin: 24 }) });
    loadLanguage(view, language, filename);
    return () => view.destroy();
  }, [filename, text, notes, onLineClick, label, marks, scrollTo]);
  return <div className="code" ref={host} />;
}

export function CodeEditor({ filename, text, onChange, label }: { filename: string; text: string; onChange: (text: string) => void; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const changed = useRef(onChange);
  changed.current = onChange;
  // The editor owns the text while it is open: `text` is read when it opens a file, not after.
  const initial = useRef(text);
  initial.current = text;
  useEffect(() => {
    const language = new Compartment();
    const view = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: initial.current,
        extensions: [
          basicSetup,
          language.of([]),
          theme,
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) changed.current(update.state.doc.toString());
          }),
        ],
      }),
    });
    loadLanguage(view, language, filename);
    return () => view.destroy();
  }, [filename, label]);
  return <div className="code editor" ref={host} />;
}

export function DiffView({ filename, before, after }: { filename: string; before: string; after: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const common = [EditorState.readOnly.of(true), EditorView.editable.of(false), theme];
    const a = new Compartment();
    const b = new Compartment();
    const view = new MergeView({
      parent: host.current!,
      a: { doc: before, extensions: [...common, lineNumbers(), a.of([])] },
      b: { doc: after, extensions: [...common, lineNumbers(), b.of([])] },
      collapseUnchanged: { margin: 3, minSize: 6 },
    });
    loadLanguage(view.a, a, filename);
    loadLanguage(view.b, b, filename);
    return () => view.destroy();
  }, [filename, before, after]);
  return <div className="code diff" ref={host} role="group" aria-label={`Changes in ${filename}`} />;
}
