// Live updates over Server-Sent Events. The events are hints ("this changed"): on each one, and
// after every (re)connection, the page refetches what it shows, so nothing missed while the
// connection was down stays missing.
import { useEffect, useRef, useState } from 'react';
import { API_BASE } from './client.ts';

export type LiveState = 'connecting' | 'live' | 'reconnecting';

/**
 * Listens to `GET /events/?<query>` while mounted; `onChange` runs on each named event and on each
 * (re)connection. EventSource reconnects by itself after a network loss; when the server closes
 * the stream for good (an error status), a new one is opened after a pause that grows to 30 s.
 */
export function useLiveEvents(query: string | null, events: string[], onChange: () => void): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const names = events.join(',');
  // The latest callback, without reopening the stream each render.
  const changed = useRef(onChange);
  changed.current = onChange;
  useEffect(() => {
    if (query === null) return;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let pause = 1000;
    let stopped = false;
    const open = () => {
      source = new EventSource(`${API_BASE}/events/?${query}`);
      source.onopen = () => {
        pause = 1000;
        setState('live');
        changed.current();
      };
      for (const name of names.split(',')) source.addEventListener(name, () => changed.current());
      source.onerror = () => {
        setState('reconnecting');
        if (source?.readyState === EventSource.CLOSED && !stopped) {
          retry = setTimeout(open, pause);
          pause = Math.min(pause * 2, 30_000);
        }
      };
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
  }, [query, names]);
  return state;
}

export function LiveBadge({ state }: { state: LiveState }) {
  const text = state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Connection lost, reconnecting…';
  return (
    <span className={`live live-${state}`} role="status" aria-live="polite">
      {text}
    </span>
  );
}
