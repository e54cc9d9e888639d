import { createSocket, type Socket } from "node:dgram";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import * as packet from "dns-packet";
import { connectionAllowed, type PolicyTable } from "../../core/network/policy-verdict";
import type { DnsZone } from "./config";
import { answer } from "./dns-zone";
import { REFUSED_HOLD_MS } from "./proxy";

const UPSTREAM_TIMEOUT_MS = 2000;

/** The name servers netd itself was given (Docker's embedded resolver, then the host's). */
function upstreams(self: string): string[] {
  try {
    return readFileSync("/etc/resolv.conf", "utf8")
      .split("\n")
      .map((l) => /^nameserver\s+(\S+)/.exec(l.trim())?.[1])
      .filter((ip): ip is string => ip !== undefined && ip !== self);
  } catch {
    return [];
  }
}

function servfail(query: Buffer): Buffer | undefined {
  try {
    const q = packet.decode(query);
    return packet.encode({
      id: q.id,
      type: "response",
      flags: 0x0100 | 0x0080 | 2,
      questions: q.questions ?? [],
    });
  } catch {
    return undefined;
  }
}

/** Asks the first upstream, as-is; SERVFAIL when none answers in time. */
function forward(query: Buffer, servers: string[]): Promise<Buffer | undefined> {
  const server = servers[0];
  if (!server) return Promise.resolve(servfail(query));
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    const timer = setTimeout(() => {
      socket.close();
      resolve(servfail(query));
    }, UPSTREAM_TIMEOUT_MS);
    socket.on("message", (reply) => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    });
    socket.on("error", () => undefined);
    socket.send(query, 53, server);
  });
}

/** The cluster's DNS server on UDP and TCP port 53 of the kube-dns address. */
export class DnsServer {
  private zone: DnsZone | undefined;
  private udp: Socket | undefined;
  private tcp: Server | undefined;
  private listening = "";

  constructor(private readonly log: (message: string, fields?: Record<string, unknown>) => void) {}

  /** Who may ask: the cluster's NetworkPolicies, kube-dns's address standing for its pods. */
  private policy: PolicyTable = {};

  apply(zone: DnsZone | undefined, policy: PolicyTable = {}): void {
    this.zone = zone;
    this.policy = policy;
    if (zone?.listen === this.listening) return;
    this.close();
    if (!zone) return;
    this.listening = zone.listen;
    this.udp = createSocket("udp4");
    this.udp.on("message", (msg, from) => {
      if (!this.admits(from.address, "UDP")) return;
      void this.resolve(msg).then((reply) => reply && this.udp?.send(reply, from.port, from.address));
    });
    this.udp.on("error", (e) => this.failed(e));
    this.udp.bind(53, zone.listen);
    this.tcp = createServer((conn) => {
      conn.on("error", () => undefined);
      if (!this.admits(conn.remoteAddress ?? "", "TCP")) {
        conn.setTimeout(REFUSED_HOLD_MS, () => conn.destroy());
        return;
      }
      let buffered = Buffer.alloc(0);
      conn.on("data", (chunk) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
          const msg = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
          buffered = buffered.subarray(2 + msg.length);
          void this.resolve(Buffer.from(msg)).then((reply) => {
            if (!reply) return;
            const length = Buffer.alloc(2);
            length.writeUInt16BE(reply.length);
            conn.write(Buffer.concat([length, reply]));
          });
        }
      });
    });
    this.tcp.on("error", (e) => this.failed(e));
    this.tcp.listen(53, zone.listen);
  }

  private admits(client: string, protocol: "TCP" | "UDP"): boolean {
    return connectionAllowed(this.policy, client, this.listening, 53, protocol);
  }

  private failed(e: Error): void {
    this.log("dns listener failed", { error: e.message });
    this.close();
  }

  private close(): void {
    this.udp?.close();
    this.tcp?.close();
    this.udp = undefined;
    this.tcp = undefined;
    this.listening = "";
  }

  private async resolve(msg: Buffer): Promise<Buffer | undefined> {
    const zone = this.zone;
    let query: packet.Packet;
    try {
      query = packet.decode(msg);
    } catch {
      return undefined;
    }
    const local = zone ? answer(zone, query) : undefined;
    if (local) return packet.encode(local);
    return forward(msg, upstreams(zone?.listen ?? ""));
  }
}
