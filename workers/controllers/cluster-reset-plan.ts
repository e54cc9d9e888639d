/** Where a reset stands with the nodes' sweeps of the cluster. */
export interface SweepPlan {
  /** Ready nodes to ask to sweep the cluster off (first time, or asked long enough ago to ask again). */
  ask: string[];
  /** Every ready node has swept it: the reset can end. */
  swept: boolean;
}

/**
 * Which nodes still have to sweep a cluster off (remove its containers, network and volumes) and whom to ask
 * now. A node that is not ready is not waited for: when it comes back, its relist removes the containers of
 * pods it does not know. A node is asked once, then again only after `askAgainMs` without its report, so
 * that a sweep still queued or running is not followed by another one landing after the reset, on the
 * cluster's new pods. Pure.
 */
export function planSweep(input: {
  ready: readonly string[];
  done: ReadonlySet<string>;
  /** When each node was last asked (ms). */
  asked: ReadonlyMap<string, number>;
  now: number;
  askAgainMs: number;
}): SweepPlan {
  const pending = input.ready.filter((n) => !input.done.has(n));
  return {
    swept: pending.length === 0,
    ask: pending.filter((n) => {
      const at = input.asked.get(n);
      return at === undefined || input.now - at >= input.askAgainMs;
    }),
  };
}
