import { describe, expect, it } from "vitest";
import {
  checkProblem,
  type ExerciseCheck,
  jsonPathSteps,
  passes,
  resolveResource,
  seenValue,
} from "./checks";
import type { KubeObject } from "./k8s/types";

const deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "monnginx", labels: { "app.kubernetes.io/name": "web" } },
  spec: { template: { spec: { containers: [{ name: "nginx", image: "nginx" }] } } },
  status: { readyReplicas: 2 },
} as unknown as KubeObject;

const check = (op: ExerciseCheck["op"], value?: string): ExerciseCheck => ({
  name: "ready",
  resource: "deployment/monnginx",
  jsonPath: "{.status.readyReplicas}",
  op,
  ...(value === undefined ? {} : { value }),
});

describe("exercise checks", () => {
  it("finds resource types as kubectl does: plural, singular, short name, kind", () => {
    expect(resolveResource("deployment")?.resource).toBe("deployments");
    expect(resolveResource("svc")?.resource).toBe("services");
    expect(resolveResource("Pods")?.resource).toBe("pods");
    expect(resolveResource("widgets")).toBeUndefined();
  });

  it("reads values with kubectl's JSONPath, escaped dots and indexes included", () => {
    expect(jsonPathSteps("{.spec.template.spec.containers[0].image}")).toEqual([
      "spec",
      "template",
      "spec",
      "containers",
      0,
      "image",
    ]);
    expect(seenValue(deployment, "{.spec.template.spec.containers[0].image}")).toBe("nginx");
    expect(seenValue(deployment, "{.metadata.labels.app\\.kubernetes\\.io/name}")).toBe("web");
    expect(seenValue(deployment, "{.status.availableReplicas}")).toBeUndefined();
    expect(seenValue(undefined, "{.status}")).toBeUndefined();
  });

  it("compares numbers as numbers and anything else as text", () => {
    expect(passes(check(">=", "2"), "2")).toBe(true);
    expect(passes(check(">=", "10"), "9")).toBe(false);
    expect(passes(check("==", "NodePort"), "NodePort")).toBe(true);
    expect(passes(check("!=", "ClusterIP"), undefined)).toBe(true);
    expect(passes(check("exists"), undefined)).toBe(false);
  });

  it("says why a check cannot be evaluated", () => {
    expect(checkProblem(check(">=", "2"))).toBeUndefined();
    expect(checkProblem({ ...check(">=", "2"), resource: "monnginx" })).toMatch(/TYPE\/NAME/);
    expect(checkProblem({ ...check(">=", "2"), resource: "widget/x" })).toBe(
      'resource: the server doesn\'t have a resource type "widget"',
    );
    expect(checkProblem({ ...check(">=", "2"), jsonPath: "status" })).toMatch(/jsonPath/);
    expect(checkProblem(check(">="))).toBe('value: required with op ">="');
  });
});
