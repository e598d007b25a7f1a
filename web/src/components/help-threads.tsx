import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, ok } from '../api/client.ts';
import { dropDraft, loadDraft, saveDraft } from '../drafts.ts';
import { When } from '../format.tsx';
import { Failure } from './failure.tsx';

/** An exercise's help threads, fetched when the section is opened, and a form to open one. */
export function HelpThreads({ exercise }: { exercise: number }) {
  const [open, setOpen] = useState(false);
  const client = useQueryClient();
  const navigate = useNavigate();
  const draftKey = `help.${exercise}`;
  const [title, setTitle] = useState(() => loadDraft<{ title: string; text: string }>(draftKey)?.title ?? '');
  const [text, setText] = useState(() => loadDraft<{ title: string; text: string }>(draftKey)?.text ?? '');
  const threads = useQuery({ queryKey: ['help', 'exercise', exercise], queryFn: () => ok(api.GET('/help/', { params: { query: { exercise } } })), enabled: open });
  const create = useMutation({
    mutationFn: () => ok(api.POST('/exercises/{id}/help/', { params: { path: { id: exercise } }, body: { title, text } })),
    onSuccess: async (thread) => {
      dropDraft(draftKey);
      await client.invalidateQueries({ queryKey: ['help'] });
      await navigate(`/help/${thread.id}`);
    },
  });
  const keep = (next: { title: string; text: string }) => {
    setTitle(next.title);
    setText(next.text);
    saveDraft(draftKey, next);
  };
  return (
    <details className="help" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        <h2>Help</h2>
      </summary>
      {threads.isPending ? (
        <p className="loading">Loading…</p>
      ) : threads.isError ? (
        <Failure error={threads.error} />
      ) : threads.data.length === 0 ? (
        <p>No help threads yet.</p>
      ) : (
        <ul>
          {threads.data.map((t) => (
            <li key={t.id}>
              <Link to={`/help/${t.id}`}>{t.title}</Link> <span className="muted">{t.status}</span> <When at={t.created_at} />
            </li>
          ))}
        </ul>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <h3>Ask for help</h3>
        <label>
          Title
          <input value={title} maxLength={200} required onChange={(e) => keep({ title: e.target.value, text })} />
        </label>
        <label>
          Your question
          <textarea value={text} maxLength={10000} required rows={4} onChange={(e) => keep({ title, text: e.target.value })} />
        </label>
        {create.error && (
          <p className="error" role="alert">
            {create.error.message}
          </p>
        )}
        <button type="submit" disabled={create.isPending}>
          Open a help thread
        </button>
      </form>
    </details>
  );
}
