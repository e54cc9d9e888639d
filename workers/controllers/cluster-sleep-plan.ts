import type { SleepCandidate } from "../../db/clusters";

/** Since when the cluster has been idle: its last request, or its creation when it never had one. */
export function idleSince(c: Pick<SleepCandidate, "createdAt" | "lastActiveAt">): Date {
  return c.lastActiveAt ?? c.createdAt;
}

/**
 * Whether the cluster falls asleep now: Active, in a class with an idleBeforeSleep, and no request to its
 * Kubernetes API for at least that long (a cluster that never had one counts from its creation).
 */
export function shouldSleep(c: SleepCandidate, now: Date): boolean {
  const idle = c.idleBeforeSleepSeconds;
  if (c.phase !== "Active" || !idle || idle <= 0) return false;
  return now.getTime() - idleSince(c).getTime() >= idle * 1000;
}

/** The clusters among `candidates` that fall asleep now, with the idle time each was judged by. */
export function clustersToSleep(
  candidates: readonly SleepCandidate[],
  now: Date,
): { id: string; idleSeconds: number }[] {
  return candidates
    .filter((c) => shouldSleep(c, now))
    .map((c) => ({ id: c.id, idleSeconds: c.idleBeforeSleepSeconds ?? 0 }));
}
