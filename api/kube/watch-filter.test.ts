import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../core/k8s/types";
import { eventFor } from "./watch-filter";

const pod = (tier: string): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", labels: { tier } },
});
const web = (o: KubeObject) => o.metadata.labels?.tier === "web";

describe("eventFor", () => {
  it("reports objects entering and leaving a selection", () => {
    expect(eventFor("MODIFIED", pod("web"), pod("db"), web)).toBe("ADDED");
    expect(eventFor("MODIFIED", pod("db"), pod("web"), web)).toBe("DELETED");
    expect(eventFor("MODIFIED", pod("web"), pod("web"), web)).toBe("MODIFIED");
    expect(eventFor("MODIFIED", pod("db"), pod("db"), web)).toBeUndefined();
  });

  it("passes additions and deletions of selected objects through", () => {
    expect(eventFor("ADDED", pod("web"), undefined, web)).toBe("ADDED");
    expect(eventFor("DELETED", pod("db"), undefined, web)).toBeUndefined();
    expect(eventFor("MODIFIED", pod("web"), undefined, web)).toBe("MODIFIED");
  });
});
