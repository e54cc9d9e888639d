import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chartBody, chartDigest, localChart } from "./local-chart";

describe("local charts", () => {
  const dir = mkdtempSync(join(tmpdir(), "local-chart-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "templates"));
  writeFileSync(join(dir, "Chart.yaml"), "apiVersion: v2\nname: course\nversion: 0.2.0\n");
  writeFileSync(join(dir, "templates/cm.yaml"), "kind: ConfigMap\n");

  it("reads a directory's version and digests its files, which an edit changes whatever the version", () => {
    const before = localChart(dir);
    expect(before).toMatchObject({ version: "0.2.0", digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(chartDigest(chartBody(dir))).toBe(before?.digest);
    writeFileSync(join(dir, "templates/cm.yaml"), "kind: ConfigMap\ndata: {a: b}\n");
    expect(localChart(dir)).toMatchObject({ version: "0.2.0" });
    expect(localChart(dir)?.digest).not.toBe(before?.digest);
  });

  it("knows no digest of a catalog chart, nor of a path it cannot read", () => {
    expect(localChart("web")).toBeNull();
    expect(chartDigest(chartBody("web"))).toBeNull();
    expect(localChart(join(dir, "missing/"))).toBeNull();
  });
});
