import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

describe("finalizers and cascading deletion through the real kubectl", () => {
  let platform: TestPlatform;
  let kubeconfig: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ nodeAgent: false });
    kubeconfig = (await platform.createCluster("deletion")).kubeconfig;
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
  });

  const k = (...args: string[]) => kubectl(kubeconfig, args, { timeoutMs: 60_000 });
  const json = async (...args: string[]) => {
    const r = await k(...args, "-o", "json");
    return r.code === 0 ? JSON.parse(r.stdout) : undefined;
  };

  it("keeps an object with finalizers until they are removed, and refuses new ones meanwhile", async () => {
    expect((await k("create", "configmap", "held", "--from-literal=a=1")).code).toBe(0);
    expect(
      (await k("patch", "configmap", "held", "-p", '{"metadata":{"finalizers":["example.com/hold"]}}')).code,
    ).toBe(0);
    expect((await k("delete", "configmap", "held", "--wait=false")).code).toBe(0);
    const held = await json("get", "configmap", "held");
    expect(held.metadata.deletionTimestamp).toBeTruthy();
    expect(held.metadata.finalizers).toEqual(["example.com/hold"]);
    const more = await k(
      "patch",
      "configmap",
      "held",
      "--type=merge",
      "-p",
      '{"metadata":{"finalizers":["example.com/hold","x.io/more"]}}',
    );
    expect(more.stderr).toContain(
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"x.io/more"}',
    );
    expect(
      (await k("patch", "configmap", "held", "--type=merge", "-p", '{"metadata":{"finalizers":null}}')).code,
    ).toBe(0);
    expect(await json("get", "configmap", "held")).toBeUndefined();
  });

  it("deletes a Deployment in the foreground: it waits for its ReplicaSet, which waits for its pods", async () => {
    expect((await k("create", "deployment", "web", "--image=nginx", "--replicas=2")).code).toBe(0);
    const rs = await eventually(
      async () =>
        (await json("get", "rs", "-l", "app=web"))?.items?.[0]?.metadata?.name as string | undefined,
      20_000,
    );
    // a finalizer of our own on the ReplicaSet holds the whole cascade
    expect((await k("patch", "rs", rs, "-p", '{"metadata":{"finalizers":["example.com/hold"]}}')).code).toBe(
      0,
    );
    expect((await k("delete", "deployment", "web", "--cascade=foreground", "--wait=false")).code).toBe(0);
    const deployment = await json("get", "deployment", "web");
    expect(deployment.metadata.finalizers).toContain("foregroundDeletion");
    await eventually(
      async () => ((await json("get", "rs", rs))?.metadata?.deletionTimestamp ? true : undefined),
      20_000,
      "the ReplicaSet marked for deletion",
    );
    await eventually(
      async () => ((await json("get", "pods", "-l", "app=web")).items.length === 0 ? true : undefined),
      20_000,
      "the pods gone",
    );
    // the ReplicaSet's own foreground finalizer went with its pods; ours holds it, and so the Deployment
    await eventually(
      async () => {
        const r = await json("get", "rs", rs);
        return JSON.stringify(r?.metadata?.finalizers) === '["example.com/hold"]' ? true : undefined;
      },
      20_000,
      "the ReplicaSet held by our finalizer only",
    );
    expect(await json("get", "deployment", "web")).toBeDefined();
    expect(
      (await k("patch", "rs", rs, "--type=json", "-p", '[{"op":"remove","path":"/metadata/finalizers/0"}]'))
        .code,
    ).toBe(0);
    await eventually(
      async () => ((await json("get", "deployment", "web")) === undefined ? true : undefined),
      20_000,
      "the deployment gone",
    );
    expect(await json("get", "rs", rs)).toBeUndefined();
  });

  it("waits with `kubectl delete --cascade=foreground` until everything is gone", async () => {
    expect((await k("create", "deployment", "api", "--image=nginx", "--replicas=2")).code).toBe(0);
    await eventually(
      async () => ((await json("get", "pods", "-l", "app=api")).items.length === 2 ? true : undefined),
      20_000,
    );
    expect((await k("delete", "deployment", "api", "--cascade=foreground")).stdout).toBe(
      'deployment.apps "api" deleted\n',
    );
    expect((await json("get", "rs", "-l", "app=api")).items).toEqual([]);
    expect((await json("get", "pods", "-l", "app=api")).items).toEqual([]);
  });
});
