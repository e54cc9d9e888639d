import { inCidr } from "./cidr";

export type Protocol = "TCP" | "UDP" | "SCTP";

/** Ports `from`..`to` (inclusive) of one protocol. */
export interface PortRange {
  protocol: Protocol;
  from: number;
  to: number;
}

/** A block of addresses, minus the blocks in `except`. */
export interface Peer {
  cidr: string;
  except?: string[];
}

/** Traffic with any of `peers` on any of `ports` (every port when absent) is allowed. */
export interface Allow {
  peers: Peer[];
  ports?: PortRange[];
}

/**
 * What the policies make of one pod, every selector resolved to addresses and every named port to a
 * number: `ingress` (`egress`) absent means the pod is not isolated in that direction, an empty list
 * that nothing is allowed.
 */
export interface PodRules {
  ip: string;
  ingress?: Allow[];
  egress?: Allow[];
}

function peerHolds(peer: Peer, ip: string): boolean {
  return inCidr(peer.cidr, ip) && !(peer.except ?? []).some((e) => inCidr(e, ip));
}

/** Whether `rules` (absent: not isolated) let traffic with `peer` on `port`/`protocol` through. */
export function admits(rules: Allow[] | undefined, peer: string, port: number, protocol: Protocol): boolean {
  if (!rules) return true;
  return rules.some(
    (a) =>
      a.peers.some((p) => peerHolds(p, peer)) &&
      (!a.ports || a.ports.some((r) => r.protocol === protocol && port >= r.from && port <= r.to)),
  );
}

/** The rules of each pod by address. */
export type PolicyTable = Record<string, PodRules>;

/**
 * Whether a connection from `from` to `to`:`port` is allowed: the source's egress and the destination's
 * ingress must both allow it; an address that is no pod of the cluster restricts nothing on its side.
 */
export function connectionAllowed(
  table: PolicyTable,
  from: string,
  to: string,
  port: number,
  protocol: Protocol,
): boolean {
  return admits(table[from]?.egress, to, port, protocol) && admits(table[to]?.ingress, from, port, protocol);
}
