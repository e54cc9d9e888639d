import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../core/k8s/types";
import { type Dependent, FOREGROUND, ORPHAN, planCollection } from "./garbage-collector-plan";

const owner = (meta: Partial<KubeObject["metadata"]> = {}): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  metadata: { name: "rs", uid: "owner", ...meta },
});

function dependent(
  name: string,
  owners: string[],
  meta: Partial<KubeObject["metadata"]> = {},
): Dependent<string> {
  return {
    key: name,
    object: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name,
        ownerReferences: owners.map((uid) => ({ apiVersion: "apps/v1", kind: "ReplicaSet", name: uid, uid })),
        ...meta,
      },
    },
  };
}

const kinds = (actions: ReturnType<typeof planCollection<string>>) =>
  actions.map((a) => (a.kind === "finalize" ? `finalize ${a.finalizer}` : `${a.kind} ${a.dependent.key}`));

describe("planCollection", () => {
  it("leaves a living owner's dependents alone", () => {
    expect(planCollection(owner(), "owner", [dependent("a", ["owner"])])).toEqual([]);
  });

  it("takes sole dependents with a gone owner, and only the reference from shared ones", () => {
    const plan = planCollection(undefined, "owner", [
      dependent("a", ["owner"]),
      dependent("b", ["owner", "other"]),
      dependent("c", ["owner"], { deletionTimestamp: "2026-01-01T00:00:00Z" }),
    ]);
    expect(kinds(plan)).toEqual(["delete a", "dropOwner b"]);
  });

  it("deletes dependents in the foreground first, and lets the owner go when none is left", () => {
    const deleting = owner({ deletionTimestamp: "2026-01-01T00:00:00Z", finalizers: [FOREGROUND] });
    expect(kinds(planCollection(deleting, "owner", [dependent("a", ["owner"])]))).toEqual([
      "deleteForeground a",
    ]);
    const going = dependent("a", ["owner"], { deletionTimestamp: "2026-01-01T00:00:00Z" });
    expect(kinds(planCollection(deleting, "owner", [going]))).toEqual([]);
    expect(kinds(planCollection(deleting, "owner", []))).toEqual([`finalize ${FOREGROUND}`]);
  });

  it("orphans dependents before an orphaning owner goes", () => {
    const deleting = owner({ deletionTimestamp: "2026-01-01T00:00:00Z", finalizers: [ORPHAN] });
    expect(kinds(planCollection(deleting, "owner", [dependent("a", ["owner"])]))).toEqual([
      "dropOwner a",
      `finalize ${ORPHAN}`,
    ]);
  });

  it("waits for other finalizers of a deleting owner", () => {
    const deleting = owner({ deletionTimestamp: "2026-01-01T00:00:00Z", finalizers: ["example.com/hold"] });
    expect(planCollection(deleting, "owner", [dependent("a", ["owner"])])).toEqual([]);
  });
});
