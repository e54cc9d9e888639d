import { describe, expect, it } from "vitest";
import { defaultPod } from "../defaults/pod";
import type { Pod } from "../types";
import { errorBody, invalidError } from "./field-errors";
import { validateObjectMeta } from "./meta";
import { validateEphemeralContainersUpdate, validatePodSpec, validatePodUpdate } from "./pod";

function pod(spec: Record<string, unknown>, name = "web"): Pod {
  return { apiVersion: "v1", kind: "Pod", metadata: { name }, spec: spec as Pod["spec"] };
}

const messages = (p: Pod) => validatePodSpec(p).map((e) => `${e.field}: ${errorBody(e)}`);

describe("pod validation", () => {
  it("accepts a plain pod", () => {
    expect(
      messages(
        pod({ containers: [{ name: "app", image: "nginx", ports: [{ containerPort: 80, name: "http" }] }] }),
      ),
    ).toEqual([]);
  });

  it("names the field of each problem like kube-apiserver", () => {
    expect(messages(pod({ containers: [{ name: "app" }] }))).toEqual([
      "spec.containers[0].image: Required value",
    ]);
    expect(messages(pod({ containers: [] }))).toEqual(["spec.containers: Required value"]);
    expect(messages(pod({ containers: [{ name: "a", image: "x" }], restartPolicy: "Sometimes" }))).toEqual([
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]);
    expect(
      messages(pod({ containers: [{ name: "a", image: "x", ports: [{ containerPort: 70000 }] }] })),
    ).toEqual([
      "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
    ]);
    expect(
      messages(
        pod({
          containers: [
            { name: "a", image: "x", resources: { requests: { cpu: "2" }, limits: { cpu: "1" } } },
          ],
        }),
      ),
    ).toEqual([
      'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
    ]);
  });

  it("refuses duplicate container names and mounts of unknown volumes", () => {
    const p = pod({
      containers: [
        { name: "a", image: "x", volumeMounts: [{ name: "data", mountPath: "/d" }] },
        { name: "a", image: "y" },
      ],
    });
    expect(messages(p)).toEqual([
      'spec.containers[0].volumeMounts[0].name: Not found: "data"',
      'spec.containers[1].name: Duplicate value: "a"',
    ]);
  });

  it("lets an update change images only", () => {
    const current = pod({ containers: [{ name: "a", image: "nginx:1" }] });
    expect(validatePodUpdate(pod({ containers: [{ name: "a", image: "nginx:2" }] }), current)).toEqual([]);
    const changed = validatePodUpdate(
      pod({ containers: [{ name: "a", image: "nginx:1", args: ["x"] }] }),
      current,
    );
    expect(changed[0]?.field).toBe("spec");
    expect(errorBody(changed[0] ?? { type: "FieldValueForbidden", field: "" })).toMatch(
      /^Forbidden: pod updates may not change/,
    );
  });
});

describe("metadata validation and the 422 Status", () => {
  it("renders one error without brackets and several with", () => {
    const errs = validateObjectMeta(pod({}, "Bad_Name"), true);
    const one = invalidError("Pod", "Bad_Name", errs);
    expect(one.status.message).toMatch(
      /^Pod "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
    expect(one.status).toMatchObject({
      code: 422,
      reason: "Invalid",
      details: { name: "Bad_Name", kind: "Pod" },
    });
    const two = invalidError("Pod", "x", [...errs, ...validatePodSpec(pod({ containers: [{ name: "a" }] }))]);
    expect(two.status.message).toMatch(
      /is invalid: \[metadata\.name: .*, spec\.containers\[0\]\.image: Required value\]$/,
    );
    expect(two.status.details?.causes).toHaveLength(2);
  });
});

describe("pod defaults", () => {
  it("fills in what kube-apiserver fills in", () => {
    const p = defaultPod(
      pod({ containers: [{ name: "a", image: "nginx", resources: { limits: { cpu: "1" } } }] }),
    );
    expect(p.spec).toMatchObject({
      restartPolicy: "Always",
      dnsPolicy: "ClusterFirst",
      terminationGracePeriodSeconds: 30,
      schedulerName: "default-scheduler",
      serviceAccountName: "default",
      enableServiceLinks: true,
    });
    expect(p.spec.containers[0]).toMatchObject({
      imagePullPolicy: "Always",
      terminationMessagePath: "/dev/termination-log",
      terminationMessagePolicy: "File",
      resources: { limits: { cpu: "1" }, requests: { cpu: "1" } },
    });
    expect(
      defaultPod(pod({ containers: [{ name: "a", image: "nginx:1.14.2" }] })).spec.containers[0]
        ?.imagePullPolicy,
    ).toBe("IfNotPresent");
  });
});

describe("ephemeral containers (pods/ephemeralcontainers)", () => {
  const running = pod({
    containers: [{ name: "app", image: "nginx" }],
    ephemeralContainers: [{ name: "dbg", image: "busybox" }],
  });
  const check = (ephemeralContainers: unknown[]) =>
    validateEphemeralContainersUpdate(
      { ...running, spec: { ...running.spec, ephemeralContainers } } as Pod,
      running,
    ).map((e) => `${e.field}: ${errorBody(e)}`);

  it("accepts an addition targeting one of the pod's containers", () => {
    expect(
      check([
        { name: "dbg", image: "busybox" },
        { name: "dbg2", image: "busybox", targetContainerName: "app" },
      ]),
    ).toEqual([]);
  });

  it("refuses changes, duplicates, ports and unknown targets with kube-apiserver's field errors", () => {
    expect(check([])).toEqual([
      'spec.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be changed',
    ]);
    expect(
      check([
        { name: "dbg", image: "busybox" },
        { name: "app", image: "busybox", ports: [{ containerPort: 80 }], targetContainerName: "nope" },
      ]),
    ).toEqual([
      'spec.ephemeralContainers[1].name: Duplicate value: "app"',
      "spec.ephemeralContainers[1].ports: Forbidden: cannot be set for an Ephemeral Container",
      'spec.ephemeralContainers[1].targetContainerName: Not found: "nope"',
    ]);
  });
});
