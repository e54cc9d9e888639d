import { once } from "node:events";
import { mkdtemp } from "node:fs/promises";
import { createServer as createHttpsServer, request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inClusterCa, issueServingCertificate } from "../../core/in-cluster-ca";
import { ensureServingCert } from "../../core/tls";
import { ApiRelay } from "./api-relay";
import { KubeApiServer, upstreamPath } from "./kube-api";

describe("the path a pod's request takes", () => {
  it("stays under the cluster's prefix whatever dot segments it holds", () => {
    const prefix = "/clusters/c1";
    expect(upstreamPath(prefix, "/api/v1/pods?watch=1")).toBe("/clusters/c1/api/v1/pods?watch=1");
    expect(upstreamPath(prefix, "/../../v1/tenants")).toBe("/clusters/c1/v1/tenants");
    expect(upstreamPath(prefix, "/api/%2e%2e/%2E%2E/v1")).toBe("/clusters/c1/v1");
    expect(upstreamPath(prefix, "/\\..\\..\\v1")).toBe("/clusters/c1/v1");
    expect(upstreamPath(prefix, "//other-host/api")).toBe("/clusters/c1/api");
    expect(upstreamPath(prefix, "http://other/api")).toBeUndefined();
    expect(upstreamPath(prefix, "other:443")).toBeUndefined();
  });
});

describe("netd's kubernetes API relay", () => {
  const seen: { path: string; auth?: string; host?: string }[] = [];
  const closers: (() => void)[] = [];
  let port = 0;
  let ca = "";

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), "kube-api-relay-"));
    const api = await ensureServingCert(join(dir, "tls"), []);
    const platform = createHttpsServer({ cert: api.cert, key: api.key }, (req, res) => {
      seen.push({ path: req.url ?? "", auth: req.headers.authorization, host: req.headers.host });
      if (req.method === "POST") {
        let body = "";
        req.on("data", (d) => (body += d));
        req.on("end", () => res.end(JSON.stringify({ body, type: req.headers["content-type"] })));
        return;
      }
      if (req.url?.includes("watch=quiet")) {
        // a watch with nothing to tell yet: the answer's head only, as kube-apiserver flushes it
        res.writeHead(200, { "content-type": "application/json" });
        res.flushHeaders();
        setTimeout(() => res.end(), 3000);
        return;
      }
      if (req.url?.includes("watch=1")) {
        // a watch: one event now, the next much later
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"type":"ADDED"}\n');
        setTimeout(() => res.end('{"type":"DELETED"}\n'), 3000);
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ path: req.url }));
    });
    platform.on("upgrade", (req, socket) => {
      seen.push({ path: req.url ?? "" });
      if (req.url?.includes("/forbidden/")) {
        const body = '{"kind":"Status","code":403}';
        socket.end(
          `HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        );
        return;
      }
      socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
      socket.on("data", (d: Buffer) => socket.write(`echo:${d}`));
    });
    platform.listen(0, "127.0.0.1");
    await once(platform, "listening");
    closers.push(() => platform.close());
    const socketPath = join(dir, "api.sock");
    const relay = new ApiRelay(() => {}, socketPath);
    relay.apply({ host: "127.0.0.1", port: (platform.address() as AddressInfo).port });
    closers.push(() => relay.apply(undefined));
    const inCluster = await inClusterCa("secret");
    ca = inCluster.cert;
    const serving = await issueServingCertificate(inCluster, ["127.0.0.1"], new Date());
    const server = new KubeApiServer(() => {}, socketPath);
    port = 20000 + Math.floor(Math.random() * 20000);
    server.apply({
      listen: [{ ip: "127.0.0.1", port }],
      cert: serving.cert,
      key: serving.key,
      prefix: "/clusters/c1",
      upstream: { ca: api.cert, host: "127.0.0.1" },
    });
    closers.push(() => server.apply(undefined));
    await new Promise((r) => setTimeout(r, 100));
  });
  afterAll(() => {
    for (const close of closers) close();
  });

  const get = (path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpsRequest(
        { host: "127.0.0.1", port, path, ca, headers: { authorization: "Bearer sa-token" } },
        (res) => {
          let body = "";
          res.on("data", (d) => (body += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.end();
    });

  it("relays requests under the cluster's prefix, with the caller's own token, over verified TLS", async () => {
    const reply = await get("/api/v1/namespaces/default/pods");
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ path: "/clusters/c1/api/v1/namespaces/default/pods" });
    expect(seen.at(-1)).toMatchObject({ auth: "Bearer sa-token", host: "127.0.0.1" });
    expect(JSON.parse((await get("/../../v1/clusters")).body)).toEqual({ path: "/clusters/c1/v1/clusters" });
  });

  it("relays an Upgrade and then the bytes both ways", async () => {
    const socket = connect({ host: "127.0.0.1", port, ca, servername: "kubernetes.default.svc" });
    await once(socket, "secureConnect");
    socket.write(
      "GET /api/v1/namespaces/default/pods/p/exec HTTP/1.1\r\nHost: kubernetes\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
    );
    let text = "";
    socket.on("data", (d) => {
      text += d;
      if (text.includes("\r\n\r\n") && !text.includes("echo:")) socket.write("ping");
    });
    await expect.poll(() => text, { timeout: 3000 }).toContain("echo:ping");
    expect(text).toMatch(/^HTTP\/1\.1 101/);
    expect(seen.at(-1)?.path).toBe("/clusters/c1/api/v1/namespaces/default/pods/p/exec");
    socket.destroy();
  });

  it("relays a request's body as sent", async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: "127.0.0.1",
          port,
          path: "/apis/x",
          method: "POST",
          ca,
          headers: { "content-type": "application/json" },
        },
        (res) => {
          let body = "";
          res.on("data", (d) => (body += d));
          res.on("end", () => resolve(body));
        },
      );
      req.on("error", reject);
      req.end('{"kind":"SelfSubjectReview"}');
    });
    expect(JSON.parse(reply)).toEqual({ body: '{"kind":"SelfSubjectReview"}', type: "application/json" });
  });

  it("streams a watch's events as they come, not when the response ends", async () => {
    const first = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest({ host: "127.0.0.1", port, path: "/api/v1/pods?watch=1", ca }, (res) => {
        res.once("data", (d: Buffer) => {
          resolve(d.toString());
          req.destroy();
        });
      });
      req.on("error", reject);
      req.end();
    });
    expect(first).toBe('{"type":"ADDED"}\n');
  });

  it("answers a watch's head before its first event (informers wait for it before they go on)", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(
        { host: "127.0.0.1", port, path: "/apis/x/v1/websites?watch=quiet", ca },
        (res) => {
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on("error", reject);
      req.setTimeout(1500, () => reject(new Error("no answer before the first event")));
      req.end();
    });
    expect(status).toBe(200);
  });

  it("passes a refused Upgrade's answer back whole, then closes", async () => {
    const socket = connect({ host: "127.0.0.1", port, ca, servername: "kubernetes.default.svc" });
    await once(socket, "secureConnect");
    socket.write(
      "GET /api/v1/namespaces/forbidden/pods/p/exec HTTP/1.1\r\nHost: kubernetes\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
    );
    let text = "";
    socket.on("data", (d) => (text += d));
    await once(socket, "end");
    expect(text).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(text).toMatch(/\r\n\r\n\{"kind":"Status","code":403\}$/);
    socket.destroy();
  });
});
