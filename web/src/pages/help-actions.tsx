import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok } from '../api/client.ts';
import { useSession } from '../session.tsx';

/**
 * A checker's actions on a help thread: take or give back its lock, and resolve it (the thread's
 * student may resolve it too). The core decides who may; a refusal shows the server's message.
 */
export function HelpThreadActions({ thread }: { thread: { id: number; status: string; checker: { id: number; name: string } | null; user: { id: number } } }) {
  const { me } = useSession();
  const client = useQueryClient();
  const [text, setText] = useState('');
  const path = { params: { path: { id: thread.id } } };
  const done = () => client.invalidateQueries({ queryKey: ['help'] });
  const lock = useMutation({ mutationFn: () => ok(api.POST('/help/{id}/lock/', path)), onSuccess: done });
  const unlock = useMutation({ mutationFn: () => ok(api.DELETE('/help/{id}/lock/', path)), onSuccess: done });
  const resolve = useMutation({ mutationFn: () => ok(api.POST('/help/{id}/resolve/', { ...path, body: text.trim() === '' ? {} : { text } })), onSuccess: done });
  if (!me || thread.status !== 'Open') return null;
  const staff = me.role !== 'student';
  const error = lock.error ?? unlock.error ?? resolve.error;
  return (
    <div className="check-actions" role="group" aria-label="Thread actions">
      {staff &&
        (thread.checker?.id === me.id ? (
          <button type="button" onClick={() => unlock.mutate()}>
            Give back the lock
          </button>
        ) : (
          <button type="button" onClick={() => lock.mutate()}>
            {thread.checker ? `Take over from ${thread.checker.name}` : 'Lock (take this thread)'}
          </button>
        ))}
      {(staff || thread.user.id === me.id) && (
        <>
          <label>
            Closing note (optional)
            <input value={text} onChange={(e) => setText(e.target.value)} />
          </label>
          <button type="button" onClick={() => resolve.mutate()}>
            Resolve
          </button>
        </>
      )}
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
    </div>
  );
}
