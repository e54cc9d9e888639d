import type { AddressInfo } from "node:net";
import { connect, createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ServiceProxy } from "./proxy";

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

function listen(
  handler: (reply: (text: string) => void) => void = (reply) => reply("hello"),
): Promise<number> {
  const server = createServer((socket) => handler((text) => socket.end(text)));
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

/** A port nothing listens on: taken, then given back. */
async function closedPort(): Promise<number> {
  const port = await listen();
  servers.pop()?.close();
  return port;
}

function request(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let text = "";
    socket.on("data", (d) => (text += d));
    socket.on("close", () => resolve(text));
    socket.on("error", () => resolve("refused"));
  });
}

describe("the service proxy (TCP)", () => {
  it("passes over a backend that refuses, so a pod just gone costs no request", async () => {
    const [alive, gone, front] = [await listen(), await closedPort(), await closedPort()];
    const proxy = new ServiceProxy(() => {});
    proxy.apply([
      {
        name: "default/web:80",
        ip: "127.0.0.1",
        port: front,
        protocol: "TCP",
        allowed: "127.0.0.0/8",
        backends: [
          { ip: "127.0.0.1", port: gone },
          { ip: "127.0.0.1", port: alive },
        ],
      },
    ]);
    await new Promise((r) => setTimeout(r, 50));
    const answers = await Promise.all([request(front), request(front), request(front), request(front)]);
    expect(answers).toEqual(["hello", "hello", "hello", "hello"]);
    proxy.apply([]);
  });

  it("reaches only the backends the NetworkPolicies allow, and leaves a refused client unanswered", async () => {
    const [a, b, front] = [await listen((reply) => reply("a")), await closedPort(), await closedPort()];
    const rule = {
      name: "default/web:80",
      ip: "127.0.0.1",
      port: front,
      protocol: "TCP" as const,
      allowed: "127.0.0.0/8",
      backends: [
        { ip: "127.0.0.1", port: a },
        { ip: "127.0.0.2", port: b },
      ],
    };
    // 127.0.0.2 (where nothing listens) admits nobody: every connection lands on 127.0.0.1 at once
    const proxy = new ServiceProxy(() => {});
    proxy.apply([rule], { "127.0.0.2": { ip: "127.0.0.2", ingress: [] } });
    await new Promise((r) => setTimeout(r, 50));
    expect(await Promise.all([request(front), request(front), request(front)])).toEqual(["a", "a", "a"]);
    // the client may reach only port `b`, and only 127.0.0.2 has it but admits nobody: nothing answers
    proxy.apply([rule], {
      "127.0.0.1": {
        ip: "127.0.0.1",
        egress: [{ peers: [{ cidr: "127.0.0.0/8" }], ports: [{ protocol: "TCP", from: b, to: b }] }],
      },
      "127.0.0.2": { ip: "127.0.0.2", ingress: [] },
    });
    const held = await Promise.race([request(front), new Promise((r) => setTimeout(() => r("held"), 300))]);
    expect(held).toBe("held");
    proxy.apply([rule]);
    expect(await request(front)).toBe("a");
    proxy.apply([]);
  });
});
