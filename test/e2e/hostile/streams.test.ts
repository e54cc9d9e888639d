import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { constants, createDeflate } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { HEADER_DICTIONARY } from "../../../api/kube/spdy/dictionary";
import {
  controlFrame,
  dataFrame,
  encodeHeaders,
  FLAG_FIN,
  type Frame,
  FrameReader,
  TYPE,
  uint32,
} from "../../../api/kube/spdy/frames";
import { type AgentRequest, agentPath, agentTicketKey, issueAgentTicket } from "../../../core/agent-protocol";
import { tokenSecret } from "../../../core/tokens";
import { eventually, kubectl } from "../../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../../support/platform";

/**
 * A student who is cluster-admin of their own cluster attacks the platform through the streaming
 * subresources, with nothing but their token: malformed frames must not take the shared processes down,
 * and nothing they put in a request may reach another cluster's containers.
 */

type Student = { id: string; kubeconfig: string; token: string; podUid: string };

/** Fails instead of hanging: every probe is bounded. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}

/** A remotecommand WebSocket (v4.channel.k8s.io), with everything it received by channel. */
async function openExec(url: string, token: string): Promise<{ ws: WebSocket; output: () => string }> {
  const ws = new WebSocket(url, "v4.channel.k8s.io", { headers: { authorization: `Bearer ${token}` } });
  let stdout = "";
  ws.on("message", (data: Buffer) => {
    if (data[0] === 1) stdout += data.subarray(1).toString();
  });
  await within(
    15_000,
    "exec upgrade",
    new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error(`exec refused: ${res.statusCode}`)));
    }),
  );
  return { ws, output: () => stdout };
}

/** The client half of a SPDY/3.1 session, as kubectl's port-forward drives it, over any transport. */
class SpdyClient {
  private readonly reader = new FrameReader();
  private readonly deflate = createDeflate({ dictionary: HEADER_DICTIONARY });
  private compressed: Buffer[] = [];
  /** Data received per stream id, and the streams the server ended (FIN) or reset. */
  readonly data = new Map<number, string>();
  readonly finished = new Set<number>();
  readonly resets = new Set<number>();
  closed = false;

  constructor(private readonly transport: Duplex) {
    this.deflate.on("data", (c: Buffer) => this.compressed.push(c));
    transport.on("data", (chunk: Buffer) => {
      for (const frame of this.reader.push(chunk)) this.receive(frame);
    });
    transport.on("error", () => undefined);
    transport.on("close", () => {
      this.closed = true;
    });
  }

  private receive(frame: Frame): void {
    if (frame.kind === "data") {
      this.data.set(frame.streamId, (this.data.get(frame.streamId) ?? "") + frame.payload.toString());
      if (frame.flags & FLAG_FIN) this.finished.add(frame.streamId);
    } else if (frame.type === TYPE.rstStream) {
      this.resets.add(frame.payload.readUInt32BE(0));
    }
  }

  private headerBlock(headers: Record<string, string>): Promise<Buffer> {
    return new Promise((resolve) => {
      this.deflate.write(encodeHeaders(headers));
      this.deflate.flush(constants.Z_SYNC_FLUSH, () => {
        resolve(Buffer.concat(this.compressed));
        this.compressed = [];
      });
    });
  }

  async open(id: number, headers: Record<string, string>): Promise<void> {
    const block = await this.headerBlock(headers);
    this.transport.write(
      controlFrame(TYPE.synStream, 0, Buffer.concat([uint32(id, 0), Buffer.from([0, 0]), block])),
    );
  }

  write(id: number, data: string, fin = false): void {
    this.transport.write(dataFrame(id, fin ? FLAG_FIN : 0, Buffer.from(data)));
  }

  raw(bytes: Buffer): void {
    this.transport.write(bytes);
  }

  until<T>(what: string, check: () => T | undefined, ms = 15_000): Promise<T> {
    return within(
      ms,
      what,
      eventually(async () => check(), ms, what),
    );
  }

  close(): void {
    this.transport.destroy();
  }
}

/**
 * An HTTP upgrade over a raw connection: resolves with the socket and whatever followed the headers once
 * the server switches protocols.
 */
function upgrade(
  apiUrl: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ socket: Socket; rest: Buffer }> {
  const { hostname, port } = new URL(apiUrl);
  const socket = connect({ host: hostname, port: Number(port) });
  const lines = Object.entries({ Host: hostname, Connection: "Upgrade", ...headers }).map(
    ([k, v]) => `${k}: ${v}\r\n`,
  );
  socket.write(
    `${headers.Upgrade === "websocket" ? "GET" : "POST"} ${path} HTTP/1.1\r\n${lines.join("")}\r\n`,
  );
  return within(
    15_000,
    `upgrade to ${headers.Upgrade}`,
    new Promise((resolve, reject) => {
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        socket.off("data", onData);
        const status = head.subarray(0, head.indexOf("\r\n")).toString();
        if (!status.includes(" 101 ")) return reject(new Error(`upgrade refused: ${head}`));
        resolve({ socket, rest: head.subarray(end + 4) });
      };
      socket.on("data", onData);
      socket.once("error", reject);
    }),
  );
}

/** `pods/portforward` as kubectl ≤ 1.30 opens it: a raw HTTP upgrade to SPDY/3.1. */
async function rawPortForward(apiUrl: string, path: string, token: string): Promise<SpdyClient> {
  const { socket, rest } = await upgrade(apiUrl, path, {
    Authorization: `Bearer ${token}`,
    Upgrade: "SPDY/3.1",
    "X-Stream-Protocol-Version": "portforward.k8s.io",
    "Content-Length": "0",
  });
  const client = new SpdyClient(socket);
  if (rest.length) socket.emit("data", rest);
  return client;
}

describe("a hostile student on the streaming endpoints", () => {
  let platform: TestPlatform;
  let a: Student;
  let b: Student;

  const podPath = (s: Student, sub: string) => `/clusters/${s.id}/api/v1/namespaces/default/pods/web/${sub}`;
  const wsUrl = (s: Student, sub: string, query: string) =>
    `${platform.url.replace(/^http/, "ws")}${podPath(s, sub)}?${query}`;

  beforeAll(async () => {
    platform = await startTestPlatform();
    const students: Student[] = [];
    for (const name of ["hostile-a", "hostile-b"]) {
      const cluster = await platform.createCluster(name);
      expect((await kubectl(cluster.kubeconfig, ["run", "web", "--image=nginx"])).code).toBe(0);
      students.push({ ...cluster, podUid: "" });
    }
    for (const s of students) {
      const ready = await kubectl(s.kubeconfig, [
        "wait",
        "--for=condition=Ready",
        "pod/web",
        "--timeout=90s",
      ]);
      expect(ready.code, ready.stderr).toBe(0);
      s.podUid = (
        await kubectl(s.kubeconfig, ["get", "pod", "web", "-o", "jsonpath={.metadata.uid}"])
      ).stdout;
    }
    [a, b] = students as [Student, Student];
  }, 180_000);
  afterAll(async () => {
    await platform?.close();
  });

  it("(a) a resize frame that is not JSON is ignored: the stream, new execs and the workers carry on", async () => {
    const { ws, output } = await openExec(
      wsUrl(a, "exec", "command=cat&stdin=true&stdout=true&stderr=true"),
      a.token,
    );
    try {
      for (const junk of [
        Buffer.from("\x04{not json"),
        Buffer.from([4]),
        Buffer.from('\x04{"Width":-1,"Height":1e9}'),
        Buffer.from([9, 1, 2, 3]),
        Buffer.alloc(0),
        Buffer.from([255]),
      ]) {
        ws.send(junk);
      }
      ws.send(Buffer.from("\x00still here\n"));
      await within(
        15_000,
        "echo after the bad frames",
        eventually(async () => (output().includes("still here") ? true : undefined), 15_000),
      );
    } finally {
      ws.close();
    }

    const again = await within(
      30_000,
      "a new exec",
      kubectl(a.kubeconfig, ["exec", "web", "--", "echo", "alive"], { timeoutMs: 30_000 }),
    );
    expect(again.stdout).toBe("alive\n");
    // the shared workers still schedule and start another cluster's pods
    expect(
      (await kubectl(b.kubeconfig, ["run", "after", "--image=busybox", "--", "sleep", "3600"])).code,
    ).toBe(0);
    const ready = await kubectl(b.kubeconfig, [
      "wait",
      "--for=condition=Ready",
      "pod/after",
      "--timeout=60s",
    ]);
    expect(ready.code, ready.stderr).toBe(0);
  });

  // raw SPDY, as kubectl ≤ 1.30 speaks it; the WebSocket tunnel of 1.31+ feeds the same session code (today
  // ws refuses the tunnel's subprotocol at the upgrade and kubectl falls back to raw SPDY)
  it("(b) a port header that is not a port is refused on its error stream and runs nothing", async () => {
    const marker = `/tmp/pwned-${Math.random().toString(36).slice(2)}`;
    const injected = `1/../../../../${b.id}/${b.podUid}/containers/web/exec?command=touch&command=${marker}`;
    const client = await rawPortForward(platform.url, podPath(a, "portforward"), a.token);
    try {
      await client.open(1, { streamtype: "error", port: injected, requestid: "0" });
      await client.open(3, { streamtype: "data", port: injected, requestid: "0" });
      const message = await client.until("the error stream's answer", () =>
        client.finished.has(1) && client.finished.has(3) ? client.data.get(1) : undefined,
      );
      expect(message).toContain("unable to parse");
      expect(message).toContain("as a port");
      expect(client.data.get(3) ?? "").toBe("");

      for (const [id, port] of [
        [5, "0"],
        [9, "65536"],
      ] as const) {
        await client.open(id, { streamtype: "error", port, requestid: String(id) });
        await client.open(id + 2, { streamtype: "data", port, requestid: String(id) });
        const refused = await client.until(`port ${port}`, () =>
          client.finished.has(id) ? client.data.get(id) : undefined,
        );
        expect(refused).toMatch(/must be > 0|value out of range/);
      }

      // the same session still forwards a real port
      await client.open(13, { streamtype: "error", port: "80", requestid: "13" });
      await client.open(15, { streamtype: "data", port: "80", requestid: "13" });
      client.write(15, "GET / HTTP/1.0\r\n\r\n", true);
      const page = await client.until("nginx through the same session", () =>
        client.data.get(15)?.includes("</html>") ? client.data.get(15) : undefined,
      );
      expect(page).toContain("Welcome to nginx!");
    } finally {
      client.close();
    }
    const probe = await kubectl(b.kubeconfig, ["exec", "web", "--", "ls", marker]);
    expect(probe.code).not.toBe(0);
  });

  it("(b) garbage SPDY frames close that session only; the API carries on", async () => {
    for (const garbage of [
      controlFrame(
        TYPE.synStream,
        0,
        Buffer.concat([uint32(1, 0), Buffer.from([0, 0]), Buffer.from("zzzz")]),
      ),
      Buffer.from([0x80, 3, 0, 1, 0, 0xff, 0xff, 0xff]),
      controlFrame(TYPE.rstStream, 0, Buffer.from([1])),
    ]) {
      const client = await rawPortForward(platform.url, podPath(a, "portforward"), a.token);
      client.raw(garbage);
      await client.until("the session to close", () => (client.closed ? true : undefined));
    }
    const pods = await kubectl(a.kubeconfig, ["get", "pod", "web", "-o", "name"]);
    expect(pods.stdout).toBe("pod/web\n");
  });

  it("(c) the agent refuses a ticket for cluster A on a path naming cluster B, and any request without one", async () => {
    // the API's own requests carry tickets the agent accepts: logs and exec go through
    const logs = await kubectl(a.kubeconfig, ["logs", "web", "--tail=1"]);
    expect(logs.code, logs.stderr).toBe(0);
    const port = (
      await kubectl(a.kubeconfig, [
        "get",
        "node",
        platform.nodeName,
        "-o",
        "jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}",
      ])
    ).stdout;
    const agent = `127.0.0.1:${port}`;
    const key = agentTicketKey(tokenSecret(platform.adminToken));
    const forA: AgentRequest = { cluster: a.id, pod: a.podUid, verb: "exec", target: "web" };
    const intoB: AgentRequest = { cluster: b.id, pod: b.podUid, verb: "exec", target: "web" };
    const statusOf = (path: string, authorization?: string) =>
      within(
        15_000,
        `agent ${path}`,
        new Promise<number>((resolve) => {
          const ws = new WebSocket(`ws://${agent}${path}?command=true&stdout=true`, "v4.channel.k8s.io", {
            headers: authorization ? { authorization } : {},
          });
          ws.on("error", () => resolve(0));
          ws.once("unexpected-response", (_req, res) => {
            resolve(res.statusCode ?? 0);
            res.resume();
          });
          ws.once("open", () => {
            resolve(101);
            ws.close();
          });
        }),
      );
    const ticketA = `Bearer ${issueAgentTicket(key, forA, new Date())}`;
    expect(await statusOf(agentPath(forA), ticketA)).toBe(101);
    expect(await statusOf(agentPath(intoB), ticketA)).toBe(403);
    expect(await statusOf(agentPath({ ...forA, verb: "attach" }), ticketA)).toBe(403);
    expect(await statusOf(agentPath(intoB))).toBe(401);
    const forged = `Bearer ${issueAgentTicket(agentTicketKey("not the platform's secret"), intoB, new Date())}`;
    expect(await statusOf(agentPath(intoB), forged)).toBe(401);
    const expired = `Bearer ${issueAgentTicket(key, intoB, new Date(Date.now() - 120_000))}`;
    expect(await statusOf(agentPath(intoB), expired)).toBe(401);

    // logs over plain HTTP: the same check
    const logsStatus = (request: AgentRequest, ticket: AgentRequest) =>
      fetch(`http://${agent}${agentPath(request)}`, {
        headers: { authorization: `Bearer ${issueAgentTicket(key, ticket, new Date())}` },
      }).then((r) => r.status);
    const logsA: AgentRequest = { ...forA, verb: "logs" };
    expect(await logsStatus(logsA, logsA)).toBe(200);
    expect(await logsStatus({ ...logsA, cluster: b.id, pod: b.podUid }, logsA)).toBe(403);
    expect((await fetch(`http://${agent}${agentPath(logsA)}`)).status).toBe(401);
  });
});
