import { describe, expect, it } from "vitest";
import { errorBody } from "../validation/field-errors";
import { parseLabels, parseTaints } from "./node-settings";
import { validateAffinity, validateTolerations } from "./validation";

const messages = (errs: ReturnType<typeof validateAffinity>) =>
  errs.map((e) => `${e.field}: ${errorBody(e)}`);

describe("validateTolerations", () => {
  it.each([
    [
      { key: "k", operator: "Exists", value: "v" },
      "spec.tolerations[0].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'",
    ],
    [
      { key: "k", operator: "Equal", value: "v", effect: "NoSchedule", tolerationSeconds: 5 },
      "spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
    ],
    [
      { operator: "Equal", value: "v" },
      'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
    ],
    [
      { key: "k", operator: "Maybe" },
      'spec.tolerations[0].operator: Unsupported value: "Maybe": supported values: "Equal", "Exists"',
    ],
    [
      { key: "k", operator: "Exists", effect: "Sometimes" },
      'spec.tolerations[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ],
  ])("refuses %j", (toleration, message) => {
    expect(messages(validateTolerations({ tolerations: [toleration] }))).toEqual([message]);
  });

  it("accepts the defaulted not-ready tolerations and an Exists-all", () => {
    const ok = [
      {
        key: "node.kubernetes.io/not-ready",
        operator: "Exists",
        effect: "NoExecute",
        tolerationSeconds: 300,
      },
      { operator: "Exists" },
    ];
    expect(validateTolerations({ tolerations: ok })).toEqual([]);
  });
});

describe("validateAffinity", () => {
  const required =
    "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";
  it("names each bad node selector requirement", () => {
    const spec = {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: "a", operator: "In" },
                  { key: "b", operator: "Exists", values: ["x"] },
                  { key: "c", operator: "Gt", values: ["1", "2"] },
                  { key: "d", operator: "Near" },
                ],
                matchFields: [{ key: "metadata.labels", operator: "In", values: ["x"] }],
              },
            ],
          },
        },
      },
    };
    expect(messages(validateAffinity(spec))).toEqual([
      `${required}[0].matchExpressions[0].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`,
      `${required}[0].matchExpressions[1].values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`,
      `${required}[0].matchExpressions[2].values: Required value: must be specified single value when \`operator\` is 'Lt' or 'Gt'`,
      `${required}[0].matchExpressions[3].operator: Invalid value: "Near": not a valid selector operator`,
      `${required}[0].matchFields[0].key: Invalid value: "metadata.labels": not a valid field selector key`,
    ]);
  });

  it("wants at least one term, weights in 1-100 and a topology key", () => {
    const spec = {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] },
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 0, preference: { matchExpressions: [{ key: "a", operator: "Exists" }] } },
          ],
        },
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: {}, topologyKey: "" }],
        },
      },
    };
    expect(messages(validateAffinity(spec))).toEqual([
      `${required}: Required value: must have at least one node selector term`,
      "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100",
      "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty",
    ]);
  });
});

describe("node settings", () => {
  it("parses taints in kubectl's syntax", () => {
    expect(parseTaints("dedicated=teachers:NoSchedule, spot:PreferNoSchedule")).toEqual([
      { key: "dedicated", value: "teachers", effect: "NoSchedule" },
      { key: "spot", effect: "PreferNoSchedule" },
    ]);
    expect(() => parseTaints("bad:Sometimes")).toThrow('invalid taint "bad:Sometimes"');
    expect(parseTaints(undefined)).toEqual([]);
  });

  it("parses labels", () => {
    expect(parseLabels("zone=a,gpu=")).toEqual({ zone: "a", gpu: "" });
    expect(() => parseLabels("zone")).toThrow('invalid label "zone"');
  });
});
