import type postgres from "postgres";
import { CHANGES_CHANNEL, type Change, type ObjectStore } from "../../db/store";

type Deliver = (changes: Change[]) => void;

interface Subscriber {
  cursor: number;
  deliver: Deliver;
}

/** The changes of one cluster, read once per notification and fanned out to that cluster's watchers. */
class ClusterFeed {
  readonly subscribers = new Set<Subscriber>();
  private running = false;
  private again = false;

  constructor(
    private readonly clusterId: string,
    private readonly store: ObjectStore,
  ) {}

  /** Reads everything past the slowest subscriber; coalesces pokes that arrive while reading. */
  async poke(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        await this.readOnce();
      } while (this.again);
    } finally {
      this.running = false;
    }
  }

  private async readOnce(): Promise<void> {
    if (this.subscribers.size === 0) return;
    let from = Math.min(...[...this.subscribers].map((s) => s.cursor));
    for (;;) {
      const batch = await this.store.changesSince(this.clusterId, from, 1000);
      for (const sub of this.subscribers) {
        const fresh = batch.filter((c) => c.resourceVersion > sub.cursor);
        if (fresh.length === 0) continue;
        sub.cursor = fresh[fresh.length - 1]?.resourceVersion ?? sub.cursor;
        sub.deliver(fresh);
      }
      const last = batch[batch.length - 1];
      if (batch.length < 1000 || !last) return;
      from = last.resourceVersion;
    }
  }
}

/**
 * Serves watches from the change feed: one LISTEN connection per API process wakes the feed of the
 * cluster that committed, and a slow poll covers notifications lost with a dropped connection.
 */
export class WatchHub {
  private readonly feeds = new Map<string, ClusterFeed>();
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly listener: postgres.Sql,
    private readonly pollMs = 1000,
  ) {}

  async start(): Promise<void> {
    const sub = await this.listener.listen(CHANGES_CHANNEL, (clusterId) => {
      void this.feeds.get(clusterId)?.poke();
    });
    this.unlisten = sub.unlisten;
    this.timer = setInterval(() => {
      for (const feed of this.feeds.values()) void feed.poke();
    }, this.pollMs);
    this.timer.unref();
  }

  /** How many watches of the cluster this process is serving. */
  watchers(clusterId: string): number {
    return this.feeds.get(clusterId)?.subscribers.size ?? 0;
  }

  /** Delivers every change of the cluster after `fromResourceVersion`, in order, until unsubscribed. */
  subscribe(clusterId: string, fromResourceVersion: number, deliver: Deliver): () => void {
    let feed = this.feeds.get(clusterId);
    if (!feed) {
      feed = new ClusterFeed(clusterId, this.store);
      this.feeds.set(clusterId, feed);
    }
    const sub: Subscriber = { cursor: fromResourceVersion, deliver };
    feed.subscribers.add(sub);
    void feed.poke();
    return () => {
      feed.subscribers.delete(sub);
      if (feed.subscribers.size === 0) this.feeds.delete(clusterId);
    };
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.unlisten?.();
  }
}
