import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../core/k8s/types";
import { formatSelector } from "./apps";
import { toTable } from "./index";

const NOW = new Date("2026-01-01T12:00:00Z");
const meta = { name: "web", creationTimestamp: "2026-01-01T11:58:00Z" };
const template = {
  spec: { containers: [{ name: "nginx", image: "nginx:1.25" }], nodeSelector: { disk: "ssd" } },
};
const options = { now: NOW, includeObject: "None" as const, listMeta: {} };

describe("apps printers", () => {
  it("prints StatefulSets as NAME READY AGE", () => {
    const sts: KubeObject = {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: meta,
      spec: { replicas: 3, template },
      status: { replicas: 3, readyReplicas: 2 },
    };
    const table = toTable("StatefulSet", [sts], options);
    expect(table.columnDefinitions.map((c) => c.name)).toEqual([
      "Name",
      "Ready",
      "Age",
      "Containers",
      "Images",
    ]);
    expect(table.rows[0]?.cells).toEqual(["web", "2/3", "2m", "nginx", "nginx:1.25"]);
  });

  it("prints DaemonSets with their counters and node selector", () => {
    const ds: KubeObject = {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: meta,
      spec: { selector: { matchLabels: { app: "web" } }, template },
      status: {
        desiredNumberScheduled: 2,
        currentNumberScheduled: 2,
        numberReady: 1,
        updatedNumberScheduled: 2,
        numberAvailable: 1,
        numberMisscheduled: 0,
      },
    };
    const table = toTable("DaemonSet", [ds], options);
    expect(table.columnDefinitions.map((c) => c.name)).toEqual([
      "Name",
      "Desired",
      "Current",
      "Ready",
      "Up-to-date",
      "Available",
      "Node Selector",
      "Age",
      "Containers",
      "Images",
      "Selector",
    ]);
    expect(table.rows[0]?.cells).toEqual([
      "web",
      2,
      2,
      1,
      2,
      1,
      "disk=ssd",
      "2m",
      "nginx",
      "nginx:1.25",
      "app=web",
    ]);
  });

  it("prints ControllerRevisions with their controller", () => {
    const rev: KubeObject = {
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      metadata: {
        ...meta,
        name: "web-abc",
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: "u", controller: true },
        ],
      },
      revision: 2,
    };
    expect(toTable("ControllerRevision", [rev], options).rows[0]?.cells).toEqual([
      "web-abc",
      "statefulset.apps/web",
      2,
      "2m",
    ]);
  });

  it("formats label selectors like metav1.FormatLabelSelector", () => {
    expect(
      formatSelector({
        matchLabels: { b: "2", a: "1" },
        matchExpressions: [
          { key: "t", operator: "In", values: ["y", "x"] },
          { key: "u", operator: "DoesNotExist" },
        ],
      }),
    ).toBe("a=1,b=2,t in (x,y),!u");
    expect(formatSelector(undefined)).toBe("<none>");
  });
});
