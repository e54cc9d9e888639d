import { describe, expect, it } from "vitest";
import { findResourceTypeByKind } from "./resources";
import { modelOf, pruneFields, unknownFields } from "./schema";

const deployment = findResourceTypeByKind("apps/v1", "Deployment");
const pod = findResourceTypeByKind("v1", "Pod");
const event = findResourceTypeByKind("v1", "Event");

describe("unknownFields", () => {
  it("finds the models of served kinds", () => {
    expect(deployment && modelOf(deployment)).toBe("V1Deployment");
    expect(event && modelOf(event)).toBe("CoreV1Event");
  });

  it("names misspelled fields by their path, through lists and maps", () => {
    if (!deployment || !pod) throw new Error("types");
    const obj = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", labels: { "any-key": "fine" }, colour: "red" },
      spec: {
        replicas: 1,
        template: {
          spec: {
            containers: [{ name: "c", image: "nginx", imagee: "typo", env: [{ name: "A", valeu: "1" }] }],
          },
        },
      },
    };
    const paths = unknownFields(obj, deployment);
    expect(paths).toEqual([
      "metadata.colour",
      "spec.template.spec.containers[0].imagee",
      "spec.template.spec.containers[0].env[0].valeu",
    ]);
    pruneFields(obj, paths);
    expect(unknownFields(obj, deployment)).toEqual([]);
    expect(obj.spec.template.spec.containers[0]).toEqual({ name: "c", image: "nginx", env: [{ name: "A" }] });
    expect(
      unknownFields({ spec: { containers: [{ name: "c", resources: { limits: { cpu: "1" } } }] } }, pod),
    ).toEqual([]);
  });
});
