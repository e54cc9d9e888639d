import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

/**
 * The commands that Kubernetes tutorials type in the seeded busybox, alpine and nginx images, run in pods
 * of a real cluster through the real kubectl: names resolve through the cluster's DNS, the nginx behind
 * them is a Service's.
 */
describe("the seeded images answer the tutorials' commands", () => {
  let platform: TestPlatform;
  let config: string;
  let clusterIp: string;
  let nginxPodIp: string;

  const k = (...args: string[]) => kubectl(config, args, { timeoutMs: 120_000 });
  const sh = (pod: string, command: string) =>
    kubectl(config, ["exec", pod, "--", "sh", "-c", command], { timeoutMs: 30_000 });
  const podIp = async (pod: string) =>
    JSON.parse((await k("get", "pod", pod, "-o", "json")).stdout).status.podIP as string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    config = (await platform.createCluster("img-alice")).kubeconfig;
    expect((await k("create", "deployment", "nginx", "--image=nginx")).code).toBe(0);
    expect((await k("expose", "deployment", "nginx", "--port=80")).code).toBe(0);
    // 9000 says hello to each client; 9001 accepts and never answers, what wget's timeout is for
    const listener =
      "busybox nc -ll -p 9001 -e sleep 60 & while :; do echo hello from nc | nc -l -p 9000; done";
    expect((await k("run", "listener", "--image=alpine", "--", "sh", "-c", listener)).code).toBe(0);
    expect((await k("expose", "pod", "listener", "--port=9000,9001")).code).toBe(0);
    expect((await k("run", "busybox", "--image=busybox:1.28", "--", "sleep", "3600")).code).toBe(0);
    expect((await k("run", "alpine", "--image=alpine", "--", "sleep", "3600")).code).toBe(0);
    expect((await k("rollout", "status", "deployment/nginx", "--timeout=90s")).code).toBe(0);
    for (const pod of ["busybox", "alpine", "listener"])
      expect((await k("wait", "--for=condition=Ready", `pod/${pod}`, "--timeout=90s")).code).toBe(0);
    clusterIp = JSON.parse((await k("get", "svc", "nginx", "-o", "json")).stdout).spec.clusterIP;
    nginxPodIp = JSON.parse((await k("get", "pods", "-l", "app=nginx", "-o", "json")).stdout).items[0].status
      .podIP;
    // the service answers before the checks below start counting
    await eventually(
      async () => ((await sh("busybox", "wget -q -O /dev/null http://nginx")).code === 0 ? true : undefined),
      30_000,
      "the nginx service",
    );
  }, 240_000);
  afterAll(async () => {
    await platform?.close();
  });

  for (const pod of ["busybox", "alpine"]) {
    describe(pod, () => {
      it("fetches the service by name with wget -T, -qO-, -O - and -q", async () => {
        for (const command of [
          "wget -T 2 -qO- http://nginx",
          "wget -qO- --timeout=2 http://nginx.default.svc.cluster.local/",
          "wget -q -O - nginx",
          "cd /tmp && wget -q http://nginx/ && cat index.html",
        ]) {
          const r = await sh(pod, command);
          expect({ command, code: r.code, stderr: r.stderr }).toEqual({ command, code: 0, stderr: "" });
          expect(r.stdout).toContain("<title>Welcome to nginx!</title>");
        }
      });

      it("answers the NetworkPolicy tutorial's wget --spider --timeout=1 and shows headers with -S", async () => {
        const spider = await sh(pod, "wget --spider --timeout=1 nginx");
        expect(spider.code, spider.stderr).toBe(0);
        expect(spider.stderr).toBe(`Connecting to nginx (${clusterIp}:80)\nremote file exists\n`);
        const missing = await sh(pod, "wget --spider --timeout=1 http://nginx/nope");
        expect(missing.code).toBe(1);
        expect(missing.stderr).toContain("404 Not Found");
        const headers = await sh(pod, "wget -S -O /dev/null http://nginx");
        expect(headers.code).toBe(0);
        expect(headers.stderr).toContain("  HTTP/1.1 200 OK\n");
        expect(headers.stderr).toMatch(/ {2}Server: nginx\//);
      });

      it("gives up after -T seconds on a server that never answers", async () => {
        for (const command of [
          "wget -T 2 -qO- http://listener:9001/",
          "wget --timeout=2 http://listener:9001/",
        ]) {
          const started = Date.now();
          const r = await sh(pod, command);
          const seconds = (Date.now() - started) / 1000;
          expect(r.code, command).toBe(1);
          expect(r.stderr, command).toContain("wget: download timed out");
          expect(seconds, command).toBeGreaterThanOrEqual(1.9);
          expect(seconds, command).toBeLessThan(15);
        }
      });

      it("resolves services with nslookup, asking the nameserver of the pod's resolv.conf", async () => {
        const resolv = (await sh(pod, "cat /etc/resolv.conf")).stdout;
        const server = /^nameserver (\S+)/m.exec(resolv)?.[1];
        expect(server).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        // busybox 1.37 tries the search domains for a name without a dot, all at once: the answer, then
        // kube-dns' NXDOMAIN for the other domains
        const short = await sh(pod, "nslookup nginx");
        expect(short.stdout).toContain(`Server:\t\t${server}\n`);
        expect(short.stdout).toContain(`Name:\tnginx.default.svc.cluster.local\nAddress: ${clusterIp}\n`);
        // the init-containers tutorial's wait: `until nslookup myservice.<namespace>.svc.cluster.local`
        const full = await sh(pod, "nslookup nginx.default.svc.cluster.local");
        expect(full.code, full.stdout).toBe(0);
        expect(full.stdout).toContain(`Name:\tnginx.default.svc.cluster.local\nAddress: ${clusterIp}\n`);
        const missing = await sh(pod, "nslookup myservice.default.svc.cluster.local");
        expect(missing.code).toBe(1);
        expect(missing.stdout).toContain(
          "** server can't find myservice.default.svc.cluster.local: NXDOMAIN",
        );
      });

      it("probes, reads from and serves ports with nc", async () => {
        expect((await sh(pod, "nc -z nginx 80")).code).toBe(0);
        const verbose = await sh(pod, "nc -zv -w 2 nginx 80");
        expect(verbose.code).toBe(0);
        expect(verbose.stderr).toMatch(new RegExp(`^nginx\\S* \\[${clusterIp}\\] 80 .* open$`, "m"));
        expect((await sh(pod, `nc -z -w 2 ${nginxPodIp} 81`)).code).not.toBe(0);
        const read = await sh(pod, "nc -w 2 listener 9000 </dev/null");
        expect(read.stdout).toBe("hello from nc\n");
        const request = await sh(
          pod,
          "printf 'GET / HTTP/1.0\\r\\nHost: nginx\\r\\n\\r\\n' | nc -w 3 nginx 80",
        );
        expect(request.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
        expect(request.stdout).toContain("Welcome to nginx!");
        // a server of the pod's own, nc -l -p, reached from the listener pod by this pod's IP
        const ip = await podIp(pod);
        const serving = sh(pod, "echo served by nc | nc -l -p 8000");
        const got = await eventually(
          async () => {
            const r = await sh("listener", `nc -w 2 ${ip} 8000 </dev/null`);
            return r.stdout.includes("served by nc") ? r.stdout : undefined;
          },
          20_000,
          "nc -l -p 8000",
        );
        expect(got).toBe("served by nc\n");
        expect((await serving).code).toBe(0);
      });

      it("has the shell basics: sh, sleep, env, cat, ls, hostname, ip addr, ifconfig, ping", async () => {
        const ip = await podIp(pod);
        const r = await sh(
          pod,
          "sleep 0.1 && env | grep -c ^PATH= && cat /etc/os-release | grep -c ^ID= && ls /etc/hostname && hostname",
        );
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toBe(`1\n1\n/etc/hostname\n${pod}\n`);
        expect((await sh(pod, "ip addr")).stdout).toContain(`inet ${ip}/`);
        expect((await sh(pod, "ifconfig")).stdout).toContain(`inet addr:${ip}`);
        const ping = await sh(pod, `ping -c 2 -W 2 ${nginxPodIp}`);
        expect(ping.code, ping.stdout + ping.stderr).toBe(0);
        expect(ping.stdout).toContain("2 packets transmitted, 2 packets received, 0% packet loss");
      });
    });
  }

  it("runs the NetworkPolicy tutorial's probe typed into `kubectl run -i --rm --image=busybox:1.28 -- /bin/sh`", async () => {
    const run = await kubectl(
      config,
      ["run", "probe", "-i", "--rm", "--image=busybox:1.28", "--restart=Never", "--", "/bin/sh"],
      { input: "wget --spider --timeout=1 nginx\n", timeoutMs: 90_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('pod "probe" deleted');
    expect(run.stderr).toContain("remote file exists");
  });

  it("has curl in the nginx image, as the official one", async () => {
    const nginxPod = JSON.parse((await k("get", "pods", "-l", "app=nginx", "-o", "json")).stdout).items[0]
      .metadata.name as string;
    const page = await sh(nginxPod, "curl -s http://localhost/");
    expect(page.stdout).toContain("<title>Welcome to nginx!</title>");
    const head = await sh(nginxPod, "curl -sI http://nginx.default.svc.cluster.local");
    expect(head.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head.stdout).toMatch(/\r\nServer: nginx\//);
    const saved = await sh(
      nginxPod,
      "curl -sk -H 'Host: example.com' -o /tmp/page.html -w '%{http_code}' http://nginx && wc -c </tmp/page.html",
    );
    expect(saved.stdout).toMatch(/^200\d+\n$/);
    const silent = await sh(nginxPod, "curl -s --max-time 2 http://listener:9001/");
    expect(silent.code).toBe(28);
  });
});
