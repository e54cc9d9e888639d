import { describe, expect, it } from "vitest";
import type { Container, Pod } from "../../core/k8s/types";
import { containerSecurity, dockerSecurity } from "./security";

function pod(securityContext?: Record<string, unknown>, container: Partial<Container> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", namespace: "shop", uid: "u1" },
    spec: {
      ...(securityContext ? { securityContext } : {}),
      containers: [{ name: "app", image: "busybox", ...container }],
    },
  };
}

const first = (p: Pod) => p.spec.containers[0] as Container;
const secure = (p: Pod, imageUser = "") => {
  const result = containerSecurity(p, first(p), imageUser);
  if ("error" in result) throw new Error(result.error);
  return result.security;
};
const refusal = (p: Pod, imageUser = "") => {
  const result = containerSecurity(p, first(p), imageUser);
  return "error" in result ? result.error : undefined;
};

describe("containerSecurity", () => {
  it("runs a container without a securityContext as its image says, without privilege escalation", () => {
    expect(secure(pod())).toEqual({
      groups: [],
      readOnlyRootfs: false,
      noNewPrivileges: true,
      capAdd: [],
      capDrop: [],
    });
    // no-new-privileges only: Docker's default seccomp profile and capabilities stay
    expect(dockerSecurity(secure(pod()))).toEqual({ HostConfig: { SecurityOpt: ["no-new-privileges"] } });
  });

  it("runs as the pod's user and group, the container's overriding them", () => {
    expect(secure(pod({ runAsUser: 1000, runAsGroup: 3000 })).user).toBe("1000:3000");
    expect(secure(pod({ runAsUser: 1000 })).user).toBe("1000");
    expect(
      secure(pod({ runAsUser: 1000, runAsGroup: 3000 }, { securityContext: { runAsUser: 2000 } })).user,
    ).toBe("2000:3000");
    expect(secure(pod({}, { securityContext: { runAsGroup: 5 } }), "nginx").user).toBe("nginx:5");
    expect(secure(pod({}, { securityContext: { runAsGroup: 5 } })).user).toBe("0:5");
  });

  it("adds the fsGroup, then the supplemental groups, to the container's groups", () => {
    expect(secure(pod({ fsGroup: 2000, supplementalGroups: [4000, 2000, 5000] })).groups).toEqual([
      2000, 4000, 5000,
    ]);
  });

  it("maps the container-only fields onto Docker's create options", () => {
    const security = secure(
      pod(
        { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000 },
        {
          securityContext: {
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] },
          },
        },
      ),
    );
    expect(dockerSecurity(security)).toEqual({
      User: "1000:3000",
      HostConfig: {
        GroupAdd: ["2000"],
        ReadonlyRootfs: true,
        SecurityOpt: ["no-new-privileges"],
        CapAdd: ["NET_BIND_SERVICE"],
        CapDrop: ["ALL"],
      },
    });
    // only an explicit true allows privilege escalation (the kubelet allows it when unset)
    const allowed = secure(pod({}, { securityContext: { allowPrivilegeEscalation: true } }));
    expect(allowed.noNewPrivileges).toBe(false);
    expect(dockerSecurity(allowed).HostConfig.SecurityOpt).toBeUndefined();
    expect(secure(pod({}, { securityContext: { readOnlyRootFilesystem: true } })).noNewPrivileges).toBe(true);
  });

  it("refuses runAsNonRoot for an image that runs as root, with the kubelet's message", () => {
    const where = '(pod: "web_shop(u1)", container: app)';
    expect(refusal(pod({ runAsNonRoot: true }))).toBe(
      `container has runAsNonRoot and image will run as root ${where}`,
    );
    expect(refusal(pod({ runAsNonRoot: true }), "0:0")).toBe(
      `container has runAsNonRoot and image will run as root ${where}`,
    );
    expect(refusal(pod({ runAsNonRoot: true }), "nginx")).toBe(
      `container has runAsNonRoot and image has non-numeric user (nginx), cannot verify user is non-root ${where}`,
    );
    expect(refusal(pod({ runAsNonRoot: true, runAsUser: 0 }))).toBe(
      `container's runAsUser breaks non-root policy ${where}`,
    );
  });

  it("lets runAsNonRoot through for a non-root user from the pod or the image", () => {
    expect(refusal(pod({ runAsNonRoot: true }), "101")).toBeUndefined();
    expect(refusal(pod({ runAsNonRoot: true }), "101:101")).toBeUndefined();
    expect(refusal(pod({ runAsNonRoot: true, runAsUser: 1000 }))).toBeUndefined();
    expect(
      refusal(pod({}, { securityContext: { runAsNonRoot: true, runAsUser: 1000 } }), "nginx"),
    ).toBeUndefined();
    // the container's runAsNonRoot: false lifts the pod's
    expect(
      refusal(pod({ runAsNonRoot: true }, { securityContext: { runAsNonRoot: false } })),
    ).toBeUndefined();
  });
});
