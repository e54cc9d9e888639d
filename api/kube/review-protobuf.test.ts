import { describe, expect, it } from "vitest";
import { encodeMessage } from "./protobuf";
import { reviewSpecFromProtobuf } from "./review-protobuf";

/** An object as client-go sends it with `application/vnd.kubernetes.protobuf`. */
const envelope = (kind: string, object: Uint8Array) =>
  Buffer.concat([
    Buffer.from("k8s\0", "binary"),
    encodeMessage([
      [
        1,
        [
          [1, "authorization.k8s.io/v1"],
          [2, kind],
        ],
      ],
      [2, object],
    ]),
  ]);

describe("access reviews sent as protobuf", () => {
  it("reads a SelfSubjectAccessReview's resource attributes (kubectl auth can-i from a pod)", () => {
    const review = encodeMessage([
      [1, []],
      [
        2,
        [
          [
            1,
            [
              [1, "team"],
              [2, "list"],
              [5, "pods"],
            ],
          ],
        ],
      ],
    ]);
    expect(
      reviewSpecFromProtobuf(envelope("SelfSubjectAccessReview", review), "SelfSubjectAccessReview"),
    ).toEqual({
      resourceAttributes: { namespace: "team", verb: "list", resource: "pods" },
    });
  });

  it("reads a rules review's namespace and a SubjectAccessReview's user and groups", () => {
    const rules = encodeMessage([[2, [[1, "team"]]]]);
    expect(
      reviewSpecFromProtobuf(envelope("SelfSubjectRulesReview", rules), "SelfSubjectRulesReview"),
    ).toEqual({
      namespace: "team",
    });
    const subject = encodeMessage([
      [
        2,
        [
          [
            2,
            [
              [1, "/healthz"],
              [2, "get"],
            ],
          ],
          [3, "jane"],
          [4, "devs"],
          [4, "ops"],
        ],
      ],
    ]);
    expect(reviewSpecFromProtobuf(envelope("SubjectAccessReview", subject), "SubjectAccessReview")).toEqual({
      nonResourceAttributes: { path: "/healthz", verb: "get" },
      user: "jane",
      groups: ["devs", "ops"],
    });
  });

  it("refuses what is not Kubernetes' protobuf with a 400", () => {
    expect(() => reviewSpecFromProtobuf(Buffer.from("{}"), "SelfSubjectReview")).toThrow(/unable to decode/);
    expect(() =>
      reviewSpecFromProtobuf(Buffer.from([0x6b, 0x38, 0x73, 0, 0x12, 0x09, 1]), "SelfSubjectReview"),
    ).toThrow(/truncated/);
  });
});
