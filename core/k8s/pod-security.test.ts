import { describe, expect, it } from "vitest";
import type { KubeError } from "./errors";
import { enforcePodSecurity } from "./pod-security";
import type { Pod } from "./types";

function pod(spec: Partial<Pod["spec"]>, container: Record<string, unknown> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p" },
    spec: { containers: [{ name: "c", image: "busybox", ...container }], ...spec },
  };
}

function refusal(p: Pod): string {
  try {
    enforcePodSecurity(p);
  } catch (err) {
    expect((err as KubeError).status.code).toBe(403);
    return (err as KubeError).message;
  }
  return "";
}

describe("enforcePodSecurity", () => {
  it("lets an ordinary pod through", () => {
    expect(refusal(pod({}, { securityContext: { capabilities: { add: ["NET_BIND_SERVICE"] } } }))).toBe("");
  });

  it("lets hostPath volumes through: they are per-cluster Docker volumes, never the host's disk", () => {
    expect(refusal(pod({ volumes: [{ name: "root", hostPath: { path: "/" } }] }))).toBe("");
  });

  it("refuses privileged containers, host namespaces, hostPort and extra capabilities", () => {
    expect(refusal(pod({}, { securityContext: { privileged: true } }))).toBe(
      'pods "p" is forbidden: violates PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)',
    );
    expect(refusal(pod({ hostNetwork: true, hostPID: true }))).toContain(
      "host namespaces (hostNetwork=true, hostPID=true)",
    );
    expect(refusal(pod({}, { ports: [{ containerPort: 80, hostPort: 80 }] }))).toContain("hostPort");
    expect(refusal(pod({}, { securityContext: { capabilities: { add: ["SYS_ADMIN"] } } }))).toContain(
      'must not include "SYS_ADMIN"',
    );
  });
});
