import { Redis } from 'ioredis';
import type { Broadcast } from '../core/events/event-bus.ts';
import type { RedisSettings } from '../settings/redis.ts';

/** How long opening waits for the subscription before the server starts anyway (a Redis that is down). */
const SUBSCRIBE_WAIT_MS = 2000;

/**
 * Redis pub/sub as the live events' broadcast (ASSAY_REDIS_URL): messages are PUBLISHed on the
 * process's shared connection (in order, one connection) to `<prefix>events`, and received on a
 * second connection of their own (a subscribed Redis connection runs no other command). ioredis
 * reconnects and subscribes again by itself; what is published meanwhile is lost (events are hints).
 */
export class RedisBroadcast implements Broadcast {
  private listener: (message: string) => void = () => undefined;

  private constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
  ) {
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.listener(message);
    });
  }

  /** Subscribes; resolves once subscribed, or after two seconds with the subscription still pending. */
  static async open(publisher: Redis, settings: RedisSettings): Promise<RedisBroadcast> {
    // No per-command retry limit: the SUBSCRIBE waits for a Redis that is down, and is made again on each reconnect.
    const subscriber = new Redis(settings.url, { connectTimeout: 2000, maxRetriesPerRequest: null });
    subscriber.on('error', () => {});
    const broadcast = new RedisBroadcast(publisher, subscriber, `${settings.keyPrefix}events`);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      subscriber.subscribe(broadcast.channel).catch(() => undefined),
      new Promise((resolve) => (timer = setTimeout(resolve, SUBSCRIBE_WAIT_MS))),
    ]);
    clearTimeout(timer);
    return broadcast;
  }

  onMessage(listener: (message: string) => void): void {
    this.listener = listener;
  }

  send(message: string): void {
    this.publisher.publish(this.channel, message).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
  }
}
