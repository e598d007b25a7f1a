/**
 * Live events: what the server pushes to browsers (Server-Sent Events) when something they show
 * changed. An event is an invalidation hint carrying the new state, never the only copy of it: a
 * client that missed some (a lost connection) refetches what it shows and is up to date.
 *
 * Two buses: InProcessEventBus reaches the subscribers of this process (SQLite; the grading
 * thread's changes are relayed to it), SharedEventBus reaches the subscribers of every server that
 * shares the database, through a Broadcast (PostgreSQL LISTEN/NOTIFY, or Redis pub/sub when
 * configured; src/runtime.ts chooses). Whoever changes something publishes once, where the change
 * happened (a server handling a request, an `assay worker` recording a result).
 */
import crypto from 'node:crypto';
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
  /** Whether a publish here reaches subscribers on other servers too. */
  readonly acrossServers: boolean;
  publish(topic: string, event: LiveEvent): void;
  /** Starts delivering the topic's events to the listener; returns the way to stop. */
  subscribe(topic: string, listener: Listener): () => void;
  /** Whether anyone here follows the topic. */
  hasSubscribers(topic: string): boolean;
  /**
   * Whether a publish on the topic may reach anyone (publishers skip the work for nobody): someone
   * here, or, on a bus across servers, always (a server elsewhere may have a follower).
   */
  wanted(topic: string): boolean;
  /** Stops listening to the other servers (a bus across servers). */
  close?(): Promise<void>;
}

export const topics = {
  submission: (id: number) => `submission:${id}`,
  inbox: (courseId: number) => `inbox:${courseId}`,
};

/** The bus of one process. A listener that throws is cut off, not the publisher. */
export class InProcessEventBus implements EventBus {
  readonly acrossServers: boolean = false;
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

  wanted(topic: string): boolean {
    return this.hasSubscribers(topic);
  }
}

/**
 * How a bus across servers reaches the others: each message sent reaches the listener of every
 * process sharing the broadcast (the sender's own included, or not). Sending never throws nor waits:
 * a message lost while the connection is down is a hint lost (clients refetch at the next one).
 */
export interface Broadcast {
  send(message: string): void;
  /** The one listener of this process; set before the first message arrives. */
  onMessage(listener: (message: string) => void): void;
  close(): Promise<void>;
}

interface Envelope {
  /** The publishing bus (a bus ignores its own messages: it delivered them at once). */
  origin: string;
  topic: string;
  event: LiveEvent;
}

function isEnvelope(value: unknown): value is Envelope {
  const v = value as Partial<Envelope> | null;
  return (
    typeof v === 'object' && v !== null && typeof v.origin === 'string' && typeof v.topic === 'string' &&
    typeof v.event === 'object' && v.event !== null && (v.event.kind === 'grading' || v.event.kind === 'inbox')
  );
}

/**
 * The bus of several servers: a publish reaches this process's subscribers at once and every other
 * process's through the broadcast; each process numbers what it delivers (the SSE `id:`).
 */
export class SharedEventBus implements EventBus {
  readonly acrossServers: boolean = true;
  private readonly here = new InProcessEventBus();
  private readonly origin = crypto.randomUUID();

  constructor(private readonly broadcast: Broadcast) {
    broadcast.onMessage((message) => this.received(message));
  }

  publish(topic: string, event: LiveEvent): void {
    this.here.publish(topic, event);
    this.broadcast.send(JSON.stringify({ origin: this.origin, topic, event } satisfies Envelope));
  }

  subscribe(topic: string, listener: Listener): () => void {
    return this.here.subscribe(topic, listener);
  }

  hasSubscribers(topic: string): boolean {
    return this.here.hasSubscribers(topic);
  }

  wanted(): boolean {
    return true;
  }

  close(): Promise<void> {
    return this.broadcast.close();
  }

  private received(message: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    if (!isEnvelope(parsed) || parsed.origin === this.origin) return;
    this.here.publish(parsed.topic, parsed.event);
  }
}
