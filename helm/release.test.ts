import { describe, expect, it } from "vitest";
import {
  decodeRelease,
  encodeRelease,
  hooksOf,
  manifestObjects,
  type ReleaseRecord,
  releaseSecret,
} from "./release";

const record: ReleaseRecord = {
  name: "web",
  namespace: "default",
  version: 2,
  info: {
    first_deployed: "t1",
    last_deployed: "t2",
    deleted: "",
    description: "Upgrade complete",
    status: "deployed",
  },
  chart: { metadata: { name: "hello-world", version: "0.1.0", apiVersion: "v2" }, values: {} },
  config: { replicaCount: 2 },
  manifest:
    "---\n# Source: hello-world/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n",
};

describe("release records", () => {
  it("round-trip through Helm's gzip+base64 encoding, in a helm.sh/release.v1 Secret", () => {
    expect(decodeRelease(encodeRelease(record))).toEqual(record);
    const secret = releaseSecret(record);
    expect(secret.metadata).toMatchObject({
      name: "sh.helm.release.v1.web.v2",
      labels: { owner: "helm", status: "deployed", version: "2" },
    });
    expect(secret.type).toBe("helm.sh/release.v1");
    expect(decodeRelease(Buffer.from(secret.data.release, "base64").toString())).toEqual(record);
  });

  it("reads the objects of a manifest", () => {
    expect(manifestObjects(record.manifest)).toEqual([
      { apiVersion: "v1", kind: "Service", metadata: { name: "web" } },
    ]);
  });
});

describe("hooksOf", () => {
  it("reads events, weight and delete policies, defaulting to before-hook-creation", () => {
    const job = (annotations: string) =>
      `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n${annotations}`;
    const hooks = hooksOf([
      { path: "c/templates/svc.yaml", text: "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n" },
      {
        path: "c/templates/job.yaml",
        text: job(
          '    helm.sh/hook-weight: "-5"\n    helm.sh/hook-delete-policy: hook-succeeded, hook-failed\n',
        ),
        hook: ["pre-install", "pre-upgrade"],
      },
      { path: "c/templates/t.yaml", text: job('    helm.sh/hook-weight: "x"\n'), hook: ["post-delete"] },
    ]);
    expect(hooks).toEqual([
      expect.objectContaining({
        name: "migrate",
        kind: "Job",
        path: "c/templates/job.yaml",
        events: ["pre-install", "pre-upgrade"],
        weight: -5,
        delete_policies: ["hook-succeeded", "hook-failed"],
      }),
      expect.objectContaining({
        events: ["post-delete"],
        weight: 0,
        delete_policies: ["before-hook-creation"],
      }),
    ]);
  });
});
