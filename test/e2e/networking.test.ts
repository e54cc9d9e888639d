import { mkdtemp, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

/** The course's networking exercises, end to end: kubectl, the netd containers, and curl on loopback. */
describe("networking through the real kubectl", () => {
  let platform: TestPlatform;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    alice = (await platform.createCluster("net-alice")).kubeconfig;
    bob = (await platform.createCluster("net-bob")).kubeconfig;
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
  });

  const k = (...args: string[]) => kubectl(alice, args, { timeoutMs: 120_000 });
  const inPod = (config: string, pod: string, command: string) =>
    kubectl(config, ["exec", pod, "--", "sh", "-c", command], { timeoutMs: 30_000 });

  it("serves an nginx deployment on 127.0.0.1:<nodePort> through `kubectl create service nodeport`", async () => {
    expect((await k("create", "deployment", "monnginx", "--image=nginx", "--replicas=2")).code).toBe(0);
    expect((await k("create", "service", "nodeport", "monnginx", "--tcp=8080:80")).code).toBe(0);
    expect((await k("rollout", "status", "deployment/monnginx", "--timeout=90s")).code).toBe(0);
    const svc = JSON.parse((await k("get", "svc", "monnginx", "-o", "json")).stdout);
    const nodePort = svc.spec.ports[0].nodePort as number;
    const page = await eventually(
      async () => {
        const res = await fetch(`http://127.0.0.1:${nodePort}/`).catch(() => undefined);
        return res?.ok ? res.text() : undefined;
      },
      30_000,
      "the node port to answer",
    );
    expect(page).toContain("Welcome to nginx!");
    const endpoints = (await k("get", "endpoints", "monnginx")).stdout;
    expect(endpoints).toMatch(/monnginx\s+\d+\.\d+\.\d+\.\d+:80,\d+\.\d+\.\d+\.\d+:80/);
  });

  it("lets a pod reach the service by its short and full names on the service port", async () => {
    expect((await k("run", "client", "--image=busybox", "--", "sleep", "3600")).code).toBe(0);
    expect((await k("wait", "--for=condition=Ready", "pod/client", "--timeout=60s")).code).toBe(0);
    for (const name of ["monnginx", "monnginx.default", "monnginx.default.svc.cluster.local"]) {
      const got = await eventually(
        async () => {
          const r = await inPod(alice, "client", `timeout 3 wget -q -O - http://${name}:8080/`);
          return r.code === 0 ? r.stdout : undefined;
        },
        20_000,
        `${name}:8080`,
      );
      expect(got).toContain("Welcome to nginx!");
    }
    expect(
      (await k("create", "service", "clusterip", "direct", "--clusterip=None", "--tcp=80:80")).code,
    ).toBe(0);
    expect((await k("set", "selector", "service", "direct", "app=monnginx")).code).toBe(0);
    const headless = await eventually(
      async () => {
        const r = await inPod(alice, "client", "nslookup direct.default.svc.cluster.local");
        const ips = [...r.stdout.matchAll(/Address: (\d+\.\d+\.\d+\.\d+)/g)].map((m) => m[1]);
        return ips.length === 2 ? ips.sort() : undefined;
      },
      20_000,
      "the headless service's pods",
    );
    const podIps = JSON.parse((await k("get", "pods", "-l", "app=monnginx", "-o", "json")).stdout)
      .items.map((p: { status: { podIP: string } }) => p.status.podIP)
      .sort();
    expect(headless).toEqual(podIps);
    const resolv = (await inPod(alice, "client", "cat /etc/resolv.conf")).stdout;
    expect(resolv).toContain("search default.svc.cluster.local svc.cluster.local cluster.local");
    expect(resolv).toContain("ndots:5");
  });

  it("proxies UDP services", async () => {
    const server =
      '$s=IO::Socket::INET->new(LocalPort=>9000,Proto=>"udp") or die; while($s->recv($m,1024)){ $s->send("got $m") }';
    expect(
      (
        await k(
          "run",
          "udp",
          "--image=perl",
          "--labels=app=udp",
          "--",
          "perl",
          "-MIO::Socket::INET",
          "-e",
          server,
        )
      ).code,
    ).toBe(0);
    expect(
      (await k("expose", "pod", "udp", "--name=echo", "--protocol=UDP", "--port=53", "--target-port=9000"))
        .code,
    ).toBe(0);
    expect((await k("wait", "--for=condition=Ready", "pod/udp", "--timeout=60s")).code).toBe(0);
    const client =
      '$s=IO::Socket::INET->new(PeerAddr=>"echo:53",Proto=>"udp") or die; $s->send("hello"); local $SIG{ALRM}=sub{die "timeout\n"}; alarm 2; $s->recv($r,1024); print $r';
    const reply = await eventually(
      async () => {
        const r = await kubectl(alice, ["exec", "client", "--", "perl", "-MIO::Socket::INET", "-e", client]);
        return r.stdout === "got hello" ? r.stdout : undefined;
      },
      30_000,
      "a UDP reply through the service",
    );
    expect(reply).toBe("got hello");
  });

  it("follows scaling and readiness: no request reaches a pod that is gone", async () => {
    expect((await k("scale", "deployment/monnginx", "--replicas=1")).code).toBe(0);
    await eventually(
      async () => {
        const ep = JSON.parse((await k("get", "endpoints", "monnginx", "-o", "json")).stdout);
        return ep.subsets?.[0]?.addresses?.length === 1 ? true : undefined;
      },
      30_000,
      "one endpoint",
    );
    for (let i = 0; i < 6; i++) {
      const r = await inPod(
        alice,
        "client",
        "timeout 3 wget -q -O /dev/null http://monnginx:8080/ && echo ok",
      );
      expect(r.stdout.trim()).toBe("ok");
    }
  });

  it("keeps clusters apart: no pod IP, service address or name of another cluster is reachable", async () => {
    const podIp = JSON.parse((await k("get", "pods", "-l", "app=monnginx", "-o", "json")).stdout).items[0]
      .status.podIP;
    const clusterIp = JSON.parse((await k("get", "svc", "monnginx", "-o", "json")).stdout).spec.clusterIP;
    expect((await kubectl(bob, ["run", "intruder", "--image=busybox", "--", "sleep", "3600"])).code).toBe(0);
    expect(
      (await kubectl(bob, ["wait", "--for=condition=Ready", "pod/intruder", "--timeout=60s"])).code,
    ).toBe(0);
    for (const target of [`${podIp}:80`, `${clusterIp}:8080`, "monnginx.default.svc.cluster.local:8080"]) {
      const r = await inPod(bob, "intruder", `timeout 2 wget -q -O - http://${target}/`);
      expect(r.code, target).not.toBe(0);
    }
    // and alice's own client still reaches both
    expect(
      (await inPod(alice, "client", `timeout 3 wget -q -O /dev/null http://${podIp}:80/ && echo ok`)).stdout,
    ).toContain("ok");
  });
});

describe("ingress and load balancers through the real kubectl", () => {
  let platform: TestPlatform;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    alice = (await platform.createCluster("ing-alice")).kubeconfig;
    bob = (await platform.createCluster("ing-bob")).kubeconfig;
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
  });

  const page = (host: string, path = "/") =>
    new Promise<{ status: number; body: string }>((resolve) => {
      const req = httpRequest(
        { host: "127.0.0.1", port: platform.ingressPort, path, headers: { host } },
        (res) => {
          let body = "";
          res.on("data", (c) => (body += c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", () => resolve({ status: 0, body: "" }));
      req.end();
    });

  /** A web server that says who it is: busybox httpd serving one file. */
  const webServer = (name: string) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: "httpd",
              image: "busybox",
              command: [
                "sh",
                "-c",
                `mkdir -p /www && echo "I am ${name}" > /www/index.html && exec httpd -f -p 8000 -h /www`,
              ],
              ports: [{ name: "http", containerPort: 8000 }],
              readinessProbe: { tcpSocket: { port: 8000 }, periodSeconds: 1 },
            },
          ],
        },
      },
    },
  });

  it("routes two hosts to two services, under each cluster's own domain", async () => {
    for (const config of [alice, bob]) {
      for (const name of ["blue", "green"]) {
        expect(
          (await kubectl(config, ["apply", "-f", "-"], { input: JSON.stringify(webServer(name)) })).code,
        ).toBe(0);
        expect(
          (await kubectl(config, ["expose", "deployment", name, "--port=80", "--target-port=http"])).code,
        ).toBe(0);
      }
    }
    const ingress = (cluster: string) => ({
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "web" },
      spec: {
        rules: [
          {
            host: "blue.local",
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: { service: { name: "blue", port: { number: 80 } } },
                },
              ],
            },
          },
          {
            host: "app.local",
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: {
                    service: { name: cluster === "alice" ? "green" : "blue", port: { number: 80 } },
                  },
                },
              ],
            },
          },
        ],
      },
    });
    expect(
      (await kubectl(alice, ["apply", "-f", "-"], { input: JSON.stringify(ingress("alice")) })).code,
    ).toBe(0);
    expect((await kubectl(bob, ["apply", "-f", "-"], { input: JSON.stringify(ingress("bob")) })).code).toBe(
      0,
    );
    const domainOf = async (config: string) =>
      eventually(
        async () => {
          const ing = JSON.parse((await kubectl(config, ["get", "ingress", "web", "-o", "json"])).stdout);
          return ing.status?.loadBalancer?.ingress?.[0]?.hostname as string | undefined;
        },
        30_000,
        "the ingress status",
      );
    const [aliceDomain, bobDomain] = [await domainOf(alice), await domainOf(bob)];
    expect(aliceDomain).not.toBe(bobDomain);
    expect((await kubectl(alice, ["get", "ingress"])).stdout).toMatch(
      new RegExp(`web\\s+timonier\\s+blue\\.local,app\\.local\\s+${aliceDomain}`),
    );
    for (const [host, expected] of [
      [`blue.local.${aliceDomain}`, "I am blue"],
      [`app.local.${aliceDomain}`, "I am green"],
      [`app.local.${bobDomain}`, "I am blue"],
    ] as const) {
      const got = await eventually(
        async () => {
          const r = await page(host);
          return r.status === 200 ? r.body : undefined;
        },
        60_000,
        host,
      );
      expect(got.trim()).toBe(expected);
    }
    expect((await page(`nothing.${aliceDomain}`)).status).toBe(404);
  });

  it("sends no request to a pod that is not ready", async () => {
    const flaky = webServer("flaky");
    const container = flaky.spec.template.spec.containers[0] as Record<string, unknown>;
    container.command = [
      "sh",
      "-c",
      "mkdir -p /www && hostname > /www/index.html && touch /www/ready && exec httpd -f -p 8000 -h /www",
    ];
    container.readinessProbe = { exec: { command: ["test", "-f", "/www/ready"] }, periodSeconds: 1 };
    (flaky.spec as Record<string, unknown>).replicas = 2;
    expect((await kubectl(alice, ["apply", "-f", "-"], { input: JSON.stringify(flaky) })).code).toBe(0);
    expect(
      (await kubectl(alice, ["expose", "deployment", "flaky", "--port=80", "--target-port=8000"])).code,
    ).toBe(0);
    expect((await kubectl(alice, ["rollout", "status", "deployment/flaky", "--timeout=90s"])).code).toBe(0);
    expect((await kubectl(alice, ["run", "probe", "--image=busybox", "--", "sleep", "3600"])).code).toBe(0);
    expect((await kubectl(alice, ["wait", "--for=condition=Ready", "pod/probe", "--timeout=60s"])).code).toBe(
      0,
    );
    const pods = JSON.parse(
      (await kubectl(alice, ["get", "pods", "-l", "app=flaky", "-o", "json"])).stdout,
    ).items;
    const [sick, healthy] = pods.map((p: { metadata: { name: string } }) => p.metadata.name);
    expect((await kubectl(alice, ["exec", sick, "--", "rm", "/www/ready"])).code).toBe(0);
    await eventually(
      async () => {
        const ep = JSON.parse((await kubectl(alice, ["get", "endpoints", "flaky", "-o", "json"])).stdout);
        const subset = ep.subsets?.[0];
        return subset?.addresses?.length === 1 && subset.notReadyAddresses?.length === 1 ? true : undefined;
      },
      30_000,
      "the unready pod to leave the endpoints",
    );
    const answers = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const r = await kubectl(alice, [
        "exec",
        "probe",
        "--",
        "sh",
        "-c",
        "timeout 3 wget -q -O - http://flaky/",
      ]);
      answers.add(r.stdout.trim());
    }
    expect([...answers]).toEqual([healthy]);
  });

  it("terminates TLS with the certificate of the Ingress's Secret", async () => {
    const pems = await generate([{ name: "commonName", value: "secure.local" }], { keySize: 2048 });
    const dir = await mkdtemp(join(tmpdir(), "tls-"));
    await writeFile(join(dir, "tls.crt"), pems.cert);
    await writeFile(join(dir, "tls.key"), pems.private);
    const secret = ["create", "secret", "tls", "secure", `--cert=${dir}/tls.crt`, `--key=${dir}/tls.key`];
    expect((await kubectl(alice, secret)).code).toBe(0);
    const ingress = {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "secure" },
      spec: {
        tls: [{ hosts: ["secure.local"], secretName: "secure" }],
        rules: [
          {
            host: "secure.local",
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: { service: { name: "blue", port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    };
    expect((await kubectl(alice, ["apply", "-f", "-"], { input: JSON.stringify(ingress) })).code).toBe(0);
    const domain = await eventually(
      async () => {
        const ing = JSON.parse((await kubectl(alice, ["get", "ingress", "secure", "-o", "json"])).stdout);
        const entry = ing.status?.loadBalancer?.ingress?.[0];
        return entry?.ports?.some((p: { port: number }) => p.port === platform.ingressTlsPort)
          ? (entry.hostname as string)
          : undefined;
      },
      30_000,
      "the ingress status with its TLS port",
    );
    const host = `secure.local.${domain}`;
    const answer = await eventually(
      () =>
        new Promise<{ body: string; subject: string } | undefined>((resolve, reject) => {
          const req = httpsRequest(
            {
              host: "127.0.0.1",
              port: platform.ingressTlsPort,
              servername: host,
              headers: { host },
              rejectUnauthorized: false,
            },
            (res) => {
              const subject = String((res.socket as TLSSocket).getPeerCertificate().subject?.CN ?? "");
              let body = "";
              res.on("data", (c) => (body += c));
              res.on("end", () =>
                res.statusCode === 200
                  ? resolve({ body, subject })
                  : reject(new Error(`HTTP ${res.statusCode}: ${body.trim()}`)),
              );
            },
          );
          req.on("error", reject);
          req.end();
        }),
      60_000,
      "HTTPS through the ingress",
    );
    expect(answer.subject).toBe("secure.local");
    expect(answer.body.trim()).toBe("I am blue");
  });

  it("gives a LoadBalancer service an address the outside can use", async () => {
    expect(
      (
        await kubectl(alice, [
          "expose",
          "deployment",
          "blue",
          "--name=blue-lb",
          "--type=LoadBalancer",
          "--port=8081",
          "--target-port=8000",
        ])
      ).code,
    ).toBe(0);
    const svc = JSON.parse((await kubectl(alice, ["get", "svc", "blue-lb", "-o", "json"])).stdout);
    const ip = svc.status.loadBalancer.ingress[0].ip as string;
    const body = await eventually(
      async () => {
        const res = await fetch(`http://${ip}:8081/`).catch(() => undefined);
        return res?.ok ? res.text() : undefined;
      },
      30_000,
      "the load balancer",
    );
    expect(body.trim()).toBe("I am blue");
  });
});
