import { spawn } from "node:child_process";
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

type Obj = k8s.KubernetesObject & Record<string, unknown>;
type Ref = { apiVersion: string; kind: string; name: string; namespace?: string };

/** What a client does with the API; each scenario below runs once per client. */
interface Client {
  name: string;
  create(obj: Obj): Promise<Obj>;
  /** The object, or the HTTP status of the refusal. */
  get(ref: Ref): Promise<Obj | number>;
  list(apiVersion: string, kind: string, namespace: string, labelSelector: string): Promise<string[]>;
  mergePatch(ref: Ref, patch: object): Promise<Obj>;
  remove(ref: Ref): Promise<void>;
  /** Starts watching a kind in a namespace; `events()` says what was seen so far, as `TYPE name`. */
  watch(apiVersion: string, kind: string, namespace: string): Promise<{ events(): string[]; stop(): void }>;
}

function ref(obj: Obj): Ref {
  return {
    apiVersion: obj.apiVersion ?? "",
    kind: obj.kind ?? "",
    name: obj.metadata?.name ?? "",
    ...(obj.metadata?.namespace ? { namespace: obj.metadata.namespace } : {}),
  };
}

const spec = (r: Ref) => ({
  apiVersion: r.apiVersion,
  kind: r.kind,
  metadata: { name: r.name, namespace: r.namespace },
});
const resourceOf = (kind: string) => `${kind.toLowerCase()}s`;

function kubectlClient(kubeconfig: string): Client {
  const run = async (args: string[], input?: string) => {
    const r = await kubectl(kubeconfig, args, input === undefined ? {} : { input });
    return r;
  };
  const target = (r: Ref) => [`${resourceOf(r.kind)}/${r.name}`, ...(r.namespace ? ["-n", r.namespace] : [])];
  return {
    name: "kubectl",
    async create(obj) {
      const r = await run(["create", "-f", "-", "-o", "json"], JSON.stringify(obj));
      if (r.code !== 0) throw new Error(r.stderr);
      return JSON.parse(r.stdout);
    },
    async get(r) {
      const res = await run(["get", ...target(r), "-o", "json"]);
      if (res.code === 0) return JSON.parse(res.stdout);
      return /NotFound/.test(res.stderr) ? 404 : 500;
    },
    async list(_apiVersion, kind, namespace, labelSelector) {
      const res = await run(["get", resourceOf(kind), "-n", namespace, "-l", labelSelector, "-o", "json"]);
      return (JSON.parse(res.stdout).items as Obj[]).map((o) => o.metadata?.name ?? "");
    },
    async mergePatch(r, patch) {
      const res = await run([
        "patch",
        ...target(r),
        "--type=merge",
        "-p",
        JSON.stringify(patch),
        "-o",
        "json",
      ]);
      if (res.code !== 0) throw new Error(res.stderr);
      return JSON.parse(res.stdout);
    },
    async remove(r) {
      const res = await run(["delete", ...target(r), "--wait=false"]);
      if (res.code !== 0) throw new Error(res.stderr);
    },
    async watch(_apiVersion, kind, namespace) {
      const child = spawn("kubectl", [
        "--kubeconfig",
        kubeconfig,
        "get",
        resourceOf(kind),
        "-n",
        namespace,
        "--watch-only",
        "--output-watch-events",
        "-o",
        "json",
      ]);
      let buffered = "";
      const seen: string[] = [];
      child.stdout.on("data", (chunk: Buffer) => {
        buffered += chunk.toString();
        // one compact JSON event per line
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines.filter(Boolean)) {
          const event = JSON.parse(line);
          seen.push(`${event.type} ${event.object.metadata.name}`);
        }
      });
      await new Promise((r) => setTimeout(r, 1500));
      return { events: () => seen, stop: () => child.kill() };
    },
  };
}

function clientNode(kubeconfig: string): Client {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  return {
    name: "@kubernetes/client-node",
    create: (obj) => objects.create(obj),
    async get(r) {
      try {
        return await objects.read<Obj>(spec(r) as Parameters<typeof objects.read>[0]);
      } catch (err) {
        return (err as { code?: number }).code ?? 500;
      }
    },
    async list(apiVersion, kind, namespace, labelSelector) {
      const list = await objects.list<Obj>(
        apiVersion,
        kind,
        namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        labelSelector,
      );
      return list.items.map((o) => o.metadata?.name ?? "");
    },
    mergePatch: (r, patch) =>
      objects.patch(
        { ...spec(r), ...patch } as Obj,
        undefined,
        undefined,
        undefined,
        undefined,
        k8s.PatchStrategy.MergePatch,
      ),
    async remove(r) {
      await objects.delete(spec(r));
    },
    async watch(_apiVersion, kind, namespace) {
      if (kind !== "ConfigMap") throw new Error("the contract watches ConfigMaps");
      const seen: string[] = [];
      const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${namespace}/configmaps`, () =>
        core.listNamespacedConfigMap({ namespace }),
      );
      informer.on("add", (o) => seen.push(`ADDED ${o.metadata?.name}`));
      informer.on("update", (o) => seen.push(`MODIFIED ${o.metadata?.name}`));
      informer.on("delete", (o) => seen.push(`DELETED ${o.metadata?.name}`));
      await informer.start();
      return { events: () => seen, stop: () => void informer.stop() };
    },
  };
}

describe("one contract, two clients: kubectl and @kubernetes/client-node", () => {
  let platform: TestPlatform;
  const clients: Record<string, Client> = {};

  beforeAll(async () => {
    platform = await startTestPlatform({ nodeAgent: false });
    const { kubeconfig } = await platform.createCluster("contract");
    clients.kubectl = kubectlClient(kubeconfig);
    clients["@kubernetes/client-node"] = clientNode(kubeconfig);
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
  });

  describe.each(["kubectl", "@kubernetes/client-node"])("through %s", (name) => {
    const client = () => clients[name] as Client;
    const ns = name === "kubectl" ? "via-kubectl" : "via-client-node";

    it("creates, reads, lists by label, patches and deletes", async () => {
      await client().create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
      const created = await client().create({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "settings", namespace: ns, labels: { app: "shop" } },
        data: { mode: "a" },
      });
      expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.metadata?.resourceVersion).toBeTruthy();
      await client().create({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "other", namespace: ns },
        data: {},
      });
      expect(await client().list("v1", "ConfigMap", ns, "app=shop")).toEqual(["settings"]);
      const patched = await client().mergePatch(ref(created), { data: { mode: "b" } });
      expect(patched.data).toEqual({ mode: "b" });
      expect(Number(patched.metadata?.resourceVersion)).toBeGreaterThan(
        Number(created.metadata?.resourceVersion),
      );
      await client().remove(ref(created));
      expect(await client().get(ref(created))).toBe(404);
    });

    it("gets kube-apiserver's refusals", async () => {
      const cm = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "twice", namespace: ns },
        data: {},
      };
      await client().create(cm);
      await expect(client().create(cm)).rejects.toThrow(/already exists|AlreadyExists|409/);
      await expect(
        client().create({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "Bad_Name", namespace: ns },
        }),
      ).rejects.toThrow(/invalid|Invalid|422/);
      expect(
        await client().get({ apiVersion: "v1", kind: "ConfigMap", name: "missing", namespace: ns }),
      ).toBe(404);
    });

    it("creates a Deployment the controllers scale out to its ReplicaSet", async () => {
      const deployment = await client().create({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: ns },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: { containers: [{ name: "c", image: "nginx" }] },
          },
        },
      });
      const owned = await eventually(
        async () => {
          const names = await client().list("apps/v1", "ReplicaSet", ns, "app=web");
          return names.length === 1 ? names : undefined;
        },
        20_000,
        "the replica set",
      );
      expect(owned[0]).toMatch(/^web-/);
      const pods = await eventually(
        async () => {
          const names = await client().list("v1", "Pod", ns, "app=web");
          return names.length === 2 ? names : undefined;
        },
        20_000,
        "two pods",
      );
      expect(pods).toHaveLength(2);
      await client().mergePatch(ref(deployment), { spec: { replicas: 1 } });
      await eventually(
        async () => ((await client().list("v1", "Pod", ns, "app=web")).length === 1 ? true : undefined),
        20_000,
      );
    });

    it("watches: sees additions, changes and deletions as they happen", async () => {
      const watch = await client().watch("v1", "ConfigMap", ns);
      try {
        const cm = {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "watched", namespace: ns },
          data: { v: "1" },
        };
        await client().create(cm);
        await client().mergePatch(ref(cm), { data: { v: "2" } });
        await client().remove(ref(cm));
        const seen = await eventually(
          async () => {
            const mine = watch.events().filter((e) => e.endsWith(" watched"));
            return mine.length >= 3 ? mine : undefined;
          },
          15_000,
          "three watch events",
        );
        expect(seen).toEqual(["ADDED watched", "MODIFIED watched", "DELETED watched"]);
      } finally {
        watch.stop();
      }
    });
  });
});
