import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, ok } from '../api/client.ts';
import { Failure } from '../components/failure.tsx';
import { Markdown } from '../components/markdown.tsx';
import { dropDraft, loadDraft, saveDraft } from '../drafts.ts';
import { When } from '../format.tsx';
import { HelpThreadActions } from './help-actions.tsx';
import { PageShown } from '../components/page-shown.tsx';

/** A help thread: its replies and a reply form (checkers also lock and resolve it). One request. */
export default function HelpThreadPage() {
  const id = Number(useParams().id);
  const client = useQueryClient();
  const thread = useQuery({ queryKey: ['help', id], queryFn: () => ok(api.GET('/help/{id}/', { params: { path: { id } } })) });
  const draftKey = `help-reply.${id}`;
  const [text, setText] = useState(() => loadDraft<string>(draftKey) ?? '');
  const reply = useMutation({
    mutationFn: () => ok(api.POST('/help/{id}/replies/', { params: { path: { id } }, body: { text } })),
    onSuccess: async () => {
      setText('');
      dropDraft(draftKey);
      await client.invalidateQueries({ queryKey: ['help', id] });
    },
  });
  if (thread.isPending) return <p className="loading">Loading the thread…</p>;
  if (thread.isError) return <Failure error={thread.error} />;
  const t = thread.data;
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Home</Link>
        {t.exercise && (
          <>
            {' › '}
            <Link to={`/e/${t.exercise.id}`}>{t.exercise.name}</Link>
          </>
        )}
      </nav>
      <h1>{t.title}</h1>
      <PageShown page="help thread" />
      <p className="muted">
        {t.status} · opened by {t.user.name} <When at={t.created_at} />
        {t.checker && ` · with ${t.checker.name}`}
      </p>
      <HelpThreadActions thread={t} />
      <ol className="replies">
        {(t.replies ?? []).map((r) => (
          <li key={r.id} className={`reply reply-${r.type.toLowerCase()}`}>
            <strong>{r.author?.name ?? 'Someone'}</strong> <When at={r.created_at} /> {r.type !== 'Comment' && <span className="muted">({r.type === 'Resolve' ? 'resolved' : 'opened'})</span>}
            {r.text && <Markdown source={r.text} />}
          </li>
        ))}
      </ol>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          reply.mutate();
        }}
      >
        <label>
          Your reply
          <textarea
            rows={4}
            required
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              saveDraft(draftKey, e.target.value);
            }}
          />
        </label>
        {reply.error && (
          <p className="error" role="alert">
            {reply.error.message}
          </p>
        )}
        <button type="submit" disabled={reply.isPending}>
          Reply
        </button>
      </form>
    </>
  );
}
