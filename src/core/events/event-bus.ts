/**
 * Live events: what the server pushes to browsers (Server-Sent Events) when something they show
 * changed. An event is an invalidation hint carrying the new state, never the only copy of it: a
 * client that missed some (a lost connection) refetches what it shows and is up to date.
 *
 * The bus is an interface so that several servers can share one later (PostgreSQL LISTEN/NOTIFY,
 * Redis pub/sub): a publish on any server reaches the subscribers on every server. Today's
 * implementation reaches the subscribers of this process (the grading thread's changes are relayed
 * to it).
 */
import type { JobStatus, JobStep } from '../../grading/queue/index.ts';

/** A submission's grading moved: a new status or a new timeline step (engine words; each dialect names them). */
export interface GradingEvent {
  kind: 'grading';
  submission: number;
  job: number;
  status: JobStatus;
  /** The latest timeline step, null before the first. */
  step: JobStep | null;
  time: string;
}

/** Something in a course's checker inbox changed (an assignment or a help thread). */
export interface InboxEvent {
  kind: 'inbox';
  course: number;
  item: 'assignment' | 'help';
  id: number;
  status: string | null;
  /** Who holds the item's lock now, if anyone. */
  locked_by: number | null;
}

export type LiveEvent = GradingEvent | InboxEvent;

/** What subscribers receive: the event and its sequence number on this bus (the SSE `id:`). */
export interface Delivered {
  id: number;
  event: LiveEvent;
}

export type Listener = (delivered: Delivered) => void;

export interface EventBus {
  publish(topic: string, event: LiveEvent): void;
  /** Starts delivering the topic's events to the listener; returns the way to stop. */
  subscribe(topic: string, listener: Listener): () => void;
  /** Whether anyone here follows the topic (publishers may skip work for nobody). */
  hasSubscribers(topic: string): boolean;
}

export const topics = {
  submission: (id: number) => `submission:${id}`,
  inbox: (courseId: number) => `inbox:${courseId}`,
};

/** The bus of one process. A listener that throws is cut off, not the publisher. */
export class InProcessEventBus implements EventBus {
  private readonly listeners = new Map<string, Set<Listener>>();
  private sequence = 0;

  publish(topic: string, event: LiveEvent): void {
    const here = this.listeners.get(topic);
    if (!here) return;
    const delivered = { id: ++this.sequence, event };
    for (const listener of [...here]) {
      try {
        listener(delivered);
      } catch {
        here.delete(listener);
      }
    }
  }

  subscribe(topic: string, listener: Listener): () => void {
    let here = this.listeners.get(topic);
    if (!here) this.listeners.set(topic, (here = new Set()));
    here.add(listener);
    return () => {
      here.delete(listener);
      if (here.size === 0 && this.listeners.get(topic) === here) this.listeners.delete(topic);
    };
  }

  hasSubscribers(topic: string): boolean {
    return (this.listeners.get(topic)?.size ?? 0) > 0;
  }
}
