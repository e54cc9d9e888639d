import { describe, expect, it } from "vitest";
import { podsToSync } from "./relist";
import type { ObservedPod } from "./runtime";

const bound = (clusterId: string, name: string, uid: string) => ({
  clusterId,
  pod: { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default", uid } },
});

const held = (clusterId: string, name: string, uid: string): [string, ObservedPod] => [
  uid,
  { pod: { clusterId, namespace: "default", name, uid }, sandboxes: [], containers: [] },
];

describe("podsToSync", () => {
  it("syncs every bound pod, then every pod found running here that is bound no more", () => {
    const refs = podsToSync(
      [bound("c1", "web", "u1"), bound("c2", "db", "u2")],
      new Map([held("c1", "web", "u1"), held("c1", "old", "u0"), held("c3", "gone", "u3")]),
    );
    expect(refs).toEqual([
      { clusterId: "c1", namespace: "default", name: "web" },
      { clusterId: "c2", namespace: "default", name: "db" },
      { clusterId: "c1", namespace: "default", name: "old" },
      { clusterId: "c3", namespace: "default", name: "gone" },
    ]);
  });
});
