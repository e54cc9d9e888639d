import { describe, expect, it } from "vitest";
import { inClusterCa } from "../../core/in-cluster-ca";
import { withServiceAccountVolume } from "../../core/k8s/service-account-volume";
import type { KubeObject, Pod } from "../../core/k8s/types";
import type { ObjectKey } from "../../core/objects";
import { verifyServiceAccountToken } from "../../core/service-account-tokens";
import type { ObjectStore } from "../../db/store";
import type { ArchiveEntry } from "./archive";
import { PodVolumes } from "./pod-volumes";
import type { PodRuntime } from "./runtime";

const SECRET = "token-secret";

function fixture() {
  const objects: Record<string, KubeObject> = {
    "serviceaccounts/bot": {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "bot", uid: "sa-uid" },
    },
    "configmaps/kube-root-ca.crt": {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "kube-root-ca.crt" },
      data: { "ca.crt": "CA PEM" },
    },
  };
  const store = {
    get: async (key: ObjectKey) => objects[`${key.resource}/${key.name}`],
  } as unknown as ObjectStore;
  const written: ArchiveEntry[][] = [];
  const runtime = {
    putFiles: async (_id: string, _dir: string, entries: ArchiveEntry[]) => {
      written.push(entries);
    },
  } as unknown as PodRuntime;
  let now = new Date("2026-12-04T10:00:00Z");
  const volumes = new PodVolumes(runtime, store, undefined, { secret: SECRET, now: () => now });
  const pod = withServiceAccountVolume(
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "team", uid: "pod-uid" },
      spec: { serviceAccountName: "bot", containers: [{ name: "main", image: "busybox" }] },
    } as Pod,
    objects["serviceaccounts/bot"],
  );
  return { volumes, pod, written, objects, at: (d: string) => (now = new Date(d)) };
}

const token = (entries: ArchiveEntry[]) => entries.find((e) => e.name.endsWith("/token"))?.content ?? "";

describe("the projected ServiceAccount volume on the node", () => {
  it("writes a bound token of the pod's account, the CA and the namespace", async () => {
    const { volumes, pod, written } = fixture();
    const prepared = await volumes.prepare(pod, "c1");
    if ("message" in prepared) throw new Error(prepared.message);
    await volumes.populate("sandbox", prepared);
    const names = written[0]?.filter((e) => e.content !== undefined).map((e) => e.name.replace(/^.*\//, ""));
    expect(names).toEqual(["token", "ca.crt", "namespace"]);
    const claims = verifyServiceAccountToken(
      SECRET,
      token(written[0] ?? []),
      new Date("2026-12-04T10:30:00Z"),
    );
    expect(claims).toMatchObject({
      sub: "system:serviceaccount:team:bot",
      "kubernetes.io": { namespace: "team", serviceaccount: { name: "bot", uid: "sa-uid" } },
      "timonier.io/cluster": "c1",
    });
    expect((claims?.exp ?? 0) - (claims?.iat ?? 0)).toBe(3607);
  });

  it("renews the token once 80% of its life has passed, as kubelet does, and says when next", async () => {
    const { volumes, pod, written, at } = fixture();
    const prepared = await volumes.prepare(pod, "c1");
    if ("message" in prepared) throw new Error(prepared.message);
    await volumes.populate("sandbox", prepared);
    at("2026-12-04T10:40:00Z");
    expect(await volumes.renewTokens(pod, "c1", "sandbox")).toBe(3607 * 800 - 40 * 60_000);
    expect(written).toHaveLength(1);
    at("2026-12-04T10:48:10Z");
    expect(await volumes.renewTokens(pod, "c1", "sandbox")).toBe(3607 * 800);
    expect(written).toHaveLength(2);
    const fresh = verifyServiceAccountToken(
      SECRET,
      token(written[1] ?? []),
      new Date("2026-12-04T11:30:00Z"),
    );
    expect(fresh?.iat).toBe(Date.parse("2026-12-04T10:48:10Z") / 1000);
  });

  it("writes the in-cluster CA before the publisher has put kube-root-ca.crt in a new namespace", async () => {
    const { volumes, pod, written, objects } = fixture();
    delete objects["configmaps/kube-root-ca.crt"];
    const prepared = await volumes.prepare(pod, "c1");
    if ("message" in prepared) throw new Error(prepared.message);
    await volumes.populate("sandbox", prepared);
    const ca = written[0]?.find((e) => e.name.endsWith("/ca.crt"))?.content;
    expect(ca).toBe((await inClusterCa(SECRET)).cert);
  });

  it("renews at once after an agent restart, and waits for an account that does not exist", async () => {
    const { volumes, pod, written } = fixture();
    expect(await volumes.renewTokens(pod, "c1", "sandbox")).toBe(3607 * 800);
    expect(written).toHaveLength(1);
    const orphan = fixture();
    delete orphan.objects["serviceaccounts/bot"];
    expect(await orphan.volumes.prepare(pod, "c1")).toEqual({
      volume: expect.stringMatching(/^kube-api-access-/),
      message: 'serviceaccounts "bot" not found',
    });
  });
});
