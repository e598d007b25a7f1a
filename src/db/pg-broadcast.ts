import crypto from 'node:crypto';
import pg from 'pg';
import type { Broadcast } from '../core/events/event-bus.ts';

/** What a reconnect waits after the listening connection was lost. */
const RECONNECT_MS = 1000;
/** NOTIFY refuses payloads of 8000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7999;

/**
 * The channel of one installation: its schema's name (tests and benches run several installations
 * in one database, each in a schema of its own), hashed when it would pass PostgreSQL's 63 bytes.
 */
export function eventChannel(schema: string): string {
  const name = `assay_events:${schema}`;
  return Buffer.byteLength(name) <= 63 ? name : `assay_events:${crypto.createHash('sha256').update(schema).digest('hex').slice(0, 40)}`;
}

/**
 * PostgreSQL LISTEN/NOTIFY as the live events' broadcast: one connection of its own per process
 * LISTENs on the installation's channel and sends with pg_notify (one connection, so what a
 * process sends arrives in the order sent). A lost connection is opened again after a second;
 * what is sent or notified meanwhile is lost (events are hints).
 *
 * One statement at a time on the connection: what is sent while one is on its way waits, and goes
 * in the next statement, all of it at once (a burst of job changes is one round trip, not one each
 * queued inside the driver, which pg 9 no longer allows).
 */
export class PgBroadcast implements Broadcast {
  private client: pg.Client | null = null;
  private listener: (message: string) => void = () => undefined;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;
  /** Messages waiting for the statement on its way; null when none is. */
  private outbox: string[] | null = null;

  private constructor(
    private readonly url: string,
    private readonly channel: string,
  ) {}

  /** Listens from the start: resolves once LISTEN took effect (or, failing, keeps trying in the background). */
  static async open(url: string, schema: string): Promise<PgBroadcast> {
    const broadcast = new PgBroadcast(url, eventChannel(schema));
    await broadcast.connect();
    return broadcast;
  }

  onMessage(listener: (message: string) => void): void {
    this.listener = listener;
  }

  send(message: string): void {
    if (!this.client || Buffer.byteLength(message) > MAX_PAYLOAD_BYTES) return;
    if (this.outbox) {
      this.outbox.push(message);
      return;
    }
    this.outbox = [];
    void this.flush(this.client, [message]);
  }

  /** Sends `messages` in order in one statement, then what came meanwhile, until nothing is left. */
  private async flush(client: pg.Client, messages: string[]): Promise<void> {
    for (let batch = messages; batch.length > 0; ) {
      await client
        .query('SELECT pg_notify($1, m) FROM unnest($2::text[]) WITH ORDINALITY AS t (m, n) ORDER BY n', [this.channel, batch])
        .catch(() => undefined);
      batch = this.client === client && this.outbox ? this.outbox.splice(0) : [];
    }
    this.outbox = null;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    let lost = false;
    const onLost = () => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = null;
      void client.end().catch(() => undefined);
      this.reconnectLater();
    };
    client.on('error', onLost);
    client.on('end', onLost);
    client.on('notification', (n) => {
      if (n.channel === this.channel && n.payload !== undefined) this.listener(n.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(this.channel)}`);
    } catch {
      onLost();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  private reconnectLater(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect();
    }, RECONNECT_MS);
    this.retry.unref();
  }
}
