import { describe, expect, it } from "vitest";
import { KubeError } from "../../core/k8s/errors";
import { parseResourcePath } from "./request-info";

describe("parseResourcePath", () => {
  it("reads namespaced objects and their subresources", () => {
    const info = parseResourcePath("", "v1", ["namespaces", "default", "pods", "web", "log"]);
    expect(info).toMatchObject({ namespace: "default", name: "web", subresource: "log" });
    expect(info.type.kind).toBe("Pod");
  });

  it("reads all-namespaces lists", () => {
    expect(parseResourcePath("", "v1", ["pods"])).toMatchObject({ namespace: "" });
  });

  it("treats namespaces/{name}/status as the namespace's own subresource", () => {
    const info = parseResourcePath("", "v1", ["namespaces", "team", "status"]);
    expect(info).toMatchObject({ namespace: "", name: "team", subresource: "status" });
    expect(info.type.kind).toBe("Namespace");
  });

  it("refuses unknown resources and scope mismatches with a 404 Status", () => {
    for (const segments of [
      ["widgets"],
      ["namespaces", "default", "nodes", "n1"],
      ["pods", "x", "exec", "more"],
    ]) {
      try {
        parseResourcePath("", "v1", segments);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(KubeError);
        expect((err as KubeError).status).toMatchObject({ code: 404, reason: "NotFound" });
      }
    }
  });
});
