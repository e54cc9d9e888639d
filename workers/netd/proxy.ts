import { createSocket, type RemoteInfo, type Socket as UdpSocket } from "node:dgram";
import { connect, createServer, type Server, type Socket } from "node:net";
import { connectionAllowed, type PolicyTable } from "../../core/network/policy-verdict";
import type { Backend, ProxyRule } from "./config";

const UDP_IDLE_MS = 30_000;

/**
 * Picks backends round-robin among those the cluster's NetworkPolicies let the client reach (its egress,
 * their ingress), keeping a client on its backend when the rule asks for affinity.
 */
class Balancer {
  private next = 0;
  private readonly sticky = new Map<string, { backend: Backend; until: number }>();

  constructor(
    public rule: ProxyRule,
    public policy: PolicyTable = {},
  ) {}

  /** The backends `client` may reach. */
  private allowed(client: string): Backend[] {
    return this.rule.backends.filter((b) =>
      connectionAllowed(this.policy, client, b.ip, b.port, this.rule.protocol),
    );
  }

  /** Whether there are backends but policies let the client reach none: its traffic goes unanswered. */
  denied(client: string): boolean {
    return this.rule.backends.length > 0 && this.allowed(client).length === 0;
  }

  pick(client: string): Backend | undefined {
    const { affinitySeconds } = this.rule;
    const backends = this.allowed(client);
    if (backends.length === 0) return undefined;
    if (affinitySeconds) {
      const held = this.sticky.get(client);
      const now = Date.now();
      if (
        held &&
        held.until > now &&
        backends.some((b) => b.ip === held.backend.ip && b.port === held.backend.port)
      ) {
        held.until = now + affinitySeconds * 1000;
        return held.backend;
      }
    }
    const backend = backends[this.next++ % backends.length] as Backend;
    if (affinitySeconds) this.sticky.set(client, { backend, until: Date.now() + affinitySeconds * 1000 });
    return backend;
  }

  /** The next backend after a failed connection, among those not tried yet (affinity aside). */
  retry(client: string, tried: ReadonlySet<string>): Backend | undefined {
    const backends = this.allowed(client);
    for (let i = 0; i < backends.length; i++) {
      const backend = backends[this.next++ % backends.length] as Backend;
      if (!tried.has(`${backend.ip}:${backend.port}`)) return backend;
    }
    return undefined;
  }
}

interface Listener {
  balancer: Balancer;
  close(): void;
}

/** How long a connection that policies refuse is held unanswered before it is dropped. */
export const REFUSED_HOLD_MS = 120_000;

/** How long a backend may take to accept before the connection tries the next one. */
const CONNECT_TIMEOUT_MS = 1000;

function tcpListener(rule: ProxyRule, policy: PolicyTable, onError: (e: Error) => void): Listener {
  const balancer = new Balancer(rule, policy);
  const server: Server = createServer((client: Socket) => {
    client.pause();
    client.on("error", () => client.destroy());
    const address = client.remoteAddress ?? "";
    // a connection policies refuse is never answered, as when its packets are dropped: the client times out
    if (balancer.denied(address)) {
      client.setTimeout(REFUSED_HOLD_MS, () => client.destroy());
      return;
    }
    // a backend that refuses or does not answer (a pod just gone, before the rules caught up) is passed
    // over for the next one, as long as there is another to try
    const tried = new Set<string>();
    const open = (backend: Backend | undefined) => {
      if (!backend || client.destroyed) {
        client.resetAndDestroy();
        return;
      }
      tried.add(`${backend.ip}:${backend.port}`);
      const upstream = connect({ host: backend.ip, port: backend.port });
      upstream.setTimeout(CONNECT_TIMEOUT_MS);
      const retry = () => {
        upstream.destroy();
        open(balancer.retry(address, tried));
      };
      upstream.once("timeout", retry);
      upstream.once("error", retry);
      upstream.once("connect", () => {
        upstream.setTimeout(0);
        upstream.off("timeout", retry);
        upstream.off("error", retry);
        upstream.setNoDelay(true);
        client.setNoDelay(true);
        client.pipe(upstream).pipe(client);
        client.resume();
        upstream.on("error", () => (client.writable ? client.resetAndDestroy() : client.destroy()));
        client.on("error", () => upstream.destroy());
        client.on("close", () => upstream.end());
        upstream.on("close", () => client.end());
      });
    };
    open(balancer.pick(address));
  });
  server.on("error", onError);
  server.listen({ host: rule.ip, port: rule.port, exclusive: true });
  return { balancer, close: () => server.close() };
}

function udpListener(rule: ProxyRule, policy: PolicyTable, onError: (e: Error) => void): Listener {
  const balancer = new Balancer(rule, policy);
  const socket: UdpSocket = createSocket({ type: "udp4", reuseAddr: false });
  const sessions = new Map<string, { upstream: UdpSocket; timer: NodeJS.Timeout }>();
  const session = (client: RemoteInfo) => {
    const key = `${client.address}:${client.port}`;
    const existing = sessions.get(key);
    if (existing) {
      existing.timer.refresh();
      return existing.upstream;
    }
    const backend = balancer.pick(client.address);
    if (!backend) return undefined;
    const upstream = createSocket("udp4");
    upstream.connect(backend.port, backend.ip);
    upstream.on("message", (reply) => socket.send(reply, client.port, client.address));
    upstream.on("error", () => undefined);
    const timer = setTimeout(() => {
      sessions.delete(key);
      upstream.close();
    }, UDP_IDLE_MS);
    sessions.set(key, { upstream, timer });
    return upstream;
  };
  socket.on("message", (msg, client) => {
    const upstream = session(client);
    if (!upstream) return;
    const send = () => upstream.send(msg);
    try {
      send();
    } catch {
      upstream.once("connect", send);
    }
  });
  socket.on("error", onError);
  socket.bind({ address: rule.ip, port: rule.port });
  return {
    balancer,
    close: () => {
      for (const s of sessions.values()) {
        clearTimeout(s.timer);
        s.upstream.close();
      }
      socket.close();
    },
  };
}

const keyOf = (r: ProxyRule) => `${r.ip}:${r.port}/${r.protocol}`;

/** The proxy's listeners, reconciled against each new set of rules: kept ones only see new backends. */
export class ServiceProxy {
  private readonly listeners = new Map<string, Listener>();

  constructor(private readonly log: (message: string, fields?: Record<string, unknown>) => void) {}

  /** A listener that failed (its address not held yet, say) is dropped and retried by the next apply. */
  apply(rules: ProxyRule[], policy: PolicyTable = {}): void {
    const wanted = new Map(rules.map((r) => [keyOf(r), r]));
    for (const [key, listener] of this.listeners) {
      if (wanted.has(key)) continue;
      listener.close();
      this.listeners.delete(key);
    }
    for (const [key, rule] of wanted) {
      const existing = this.listeners.get(key);
      if (existing) {
        existing.balancer.rule = rule;
        existing.balancer.policy = policy;
        continue;
      }
      const onError = (e: Error) => {
        this.log("listener failed", { rule: rule.name, key, error: e.message });
        this.listeners.get(key)?.close();
        this.listeners.delete(key);
      };
      this.listeners.set(
        key,
        rule.protocol === "UDP" ? udpListener(rule, policy, onError) : tcpListener(rule, policy, onError),
      );
    }
  }
}
