import { describe, expect, it } from "vitest";
import type { ReleaseRecord } from "./release";
import { failedInstallOf, failedOf, isBusy, pendingOf, revisionOf, withStatus } from "./revision";
import type { RenderedChart } from "./template-command";

const rendered: RenderedChart = {
  chart: { name: "web", version: "0.1.0", appVersion: "1.27", apiVersion: "v2", values: { replicaCount: 2 } },
  values: { replicaCount: 1 },
  manifests: [
    { path: "web/templates/svc.yaml", kind: "Service", text: "kind: Service\nmetadata:\n  name: web" },
  ],
  hooks: [
    {
      path: "web/templates/job.yaml",
      kind: "Job",
      text: "kind: Job\nmetadata:\n  name: migrate\n  annotations:\n    helm.sh/hook: pre-install",
      hook: ["pre-install"],
    },
  ],
  notes: "Hello",
} as unknown as RenderedChart;

const base = { name: "site", namespace: "web", version: 1, first: "t0", description: "Install complete" };

describe("revisionOf", () => {
  it("records a rendered chart as Helm records a deployed revision", () => {
    const r = revisionOf(rendered, base, "t1", { replicaCount: 1 });
    expect(r).toMatchObject({
      name: "site",
      namespace: "web",
      version: 1,
      info: { first_deployed: "t0", last_deployed: "t1", status: "deployed", notes: "Hello" },
      chart: { metadata: { name: "web", version: "0.1.0", appVersion: "1.27", apiVersion: "v2" } },
      config: { replicaCount: 1 },
      manifest: "---\n# Source: web/templates/svc.yaml\nkind: Service\nmetadata:\n  name: web\n",
    });
    expect(r.hooks?.map((h) => [h.name, h.events])).toEqual([["migrate", ["pre-install"]]]);
  });
});

describe("revision statuses", () => {
  const r = revisionOf(rendered, base, "t1", {}) as ReleaseRecord;

  it("words an operation under way and its failure as Helm does", () => {
    expect(pendingOf(r, "install").info).toMatchObject({
      status: "pending-install",
      description: "Initial install underway",
    });
    expect(pendingOf(r, "upgrade").info.status).toBe("pending-upgrade");
    expect(pendingOf(withStatus(r, "deployed", "Rollback to 1"), "rollback").info).toMatchObject({
      status: "pending-rollback",
      description: "Rollback to 1",
    });
    expect(failedOf(r, "install", "boom").info).toMatchObject({
      status: "failed",
      description: 'Release "site" failed: boom',
    });
    expect(failedOf(r, "upgrade", "boom").info.description).toBe('Upgrade "site" failed: boom');
  });

  it("is busy while pending or uninstalling", () => {
    expect(isBusy(pendingOf(r, "install"))).toBe(true);
    expect(isBusy(withStatus(r, "uninstalling", ""))).toBe(true);
    expect(isBusy(r)).toBe(false);
    expect(isBusy(withStatus(r, "failed", ""))).toBe(false);
  });

  it("records an install that failed before anything went out, with no manifest", () => {
    const failed = failedInstallOf(
      { name: "site", namespace: "web" },
      { name: "web", version: "0.1.0" },
      { replicaCount: 1 },
      "t2",
      "render failed",
    );
    expect(failed).toEqual({
      name: "site",
      namespace: "web",
      version: 1,
      info: {
        first_deployed: "t2",
        last_deployed: "t2",
        deleted: "",
        status: "failed",
        description: 'Release "site" failed: render failed',
      },
      chart: { metadata: { name: "web", version: "0.1.0", apiVersion: "v2" }, values: {} },
      config: { replicaCount: 1 },
      manifest: "",
    });
  });
});
