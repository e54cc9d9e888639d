import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type ChartFiles, expandSubchartArchives } from "./archive";
import { type Chart, renderChart } from "./chart";
import { renderTemplates, sortTemplates } from "./engine";
import { type Lookup, lookupIn } from "./lookup";
import { helmTemplateOutput } from "./template-command";

const PASSING: string[] = [
  "TestRender",
  "TestRenderRefsOrdering",
  "TestChartValuesContainsIsRoot",
  "TestAlterFuncMap_include",
  "TestAlterFuncMap_require",
  "TestAlterFuncMap_tpl",
  "TestAlterFuncMap_tplfunc",
  "TestAlterFuncMap_tplinclude",
  "TestRenderRecursionLimit/4000-sequential-includes",
  "TestRenderLoadTemplateForTplFromFile",
  "TestRenderTplEmpty",
  "TestRenderTplTemplateNames",
  "TestRenderTplMissingKey",
  "TestRenderRecursionLimit",
  "TestAlterFuncMap_include/nested-self-reference",
  "TestRenderDependency",
  "TestRenderSubchartDefaultNilNoStringify",
  "TestRenderWithClientProvider",
  "TestRenderWithClientProvider_error",
  "TestRenderNestedValues",
  "TestRenderBuiltinValues",
  "TestRenderTplRedefines",
  "TestRenderTplMissingKeyString",
  "TestNestedHelpersProducesMultilineStacktrace",
  "TestMultilineNoTemplateAssociatedError",
];

const root = new URL("../../shared/conformance/helm/", import.meta.url);

interface EngineCase {
  name: string;
  kind: "raw" | "chart" | "sortTemplates";
  templates?: Record<string, string>;
  dot?: unknown;
  expected?: Record<string, string>;
  expectedError?: string;
  expectedErrorMatch?: "exact" | "suffix" | "contains" | "any";
  lintModeExpected?: Record<string, string>;
  expectedOutputCount?: number;
  engine?: { strict?: boolean };
  lookup?: { resources: Record<string, { error?: string }>; objects: Record<string, never>[] };
}

interface TemplateCase {
  name: string;
  chartDir: string | null;
  releaseName: string | null;
  namespace: string;
  expected: string;
  flags: {
    set?: string[];
    values?: string[];
    kubeVersion?: string;
    apiVersions?: string[];
    includeCrds?: boolean;
    skipTests?: boolean;
    showOnly?: string[];
    nameTemplate?: string;
    debug?: boolean;
  };
}

const engineCases = (
  JSON.parse(readFileSync(new URL("engine-cases.json", root), "utf8")) as { cases: EngineCase[] }
).cases;
const templateCases = (
  JSON.parse(readFileSync(new URL("cases.json", root), "utf8")) as { cases: TemplateCase[] }
).cases;

function render(c: EngineCase, lintMode: boolean): Record<string, string> {
  return renderTemplates(c.templates ?? {}, c.dot, { lintMode });
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  throw new Error("expected an error");
}

function matches(message: string, want: string, how: EngineCase["expectedErrorMatch"]): boolean {
  switch (how) {
    case "suffix":
      return message.endsWith(want);
    case "contains":
      return message.includes(want);
    case "any":
      return true;
    default:
      return message === want;
  }
}

describe("engine-cases.json (raw templates)", () => {
  it.each(engineCases.filter((c) => c.kind === "raw").map((c) => [c.name, c] as const))("%s", (_name, c) => {
    if (c.expectedError !== undefined) {
      const message = errorOf(() => render(c, false));
      expect(matches(message, c.expectedError, c.expectedErrorMatch), message).toBe(true);
      if (c.lintModeExpected) expect(render(c, true)).toEqual(c.lintModeExpected);
    } else expect(render(c, false)).toEqual(c.expected);
  });
});

// Chart cases known to pass; the others need what helm/README.md lists (more Sprig, error formats, lookup).
const PASSING_CHART_CASES = new Set<string>(PASSING);

/** The case's fake cluster: its objects, and the kinds whose client fails. */
function caseLookup(fake: NonNullable<EngineCase["lookup"]>): Lookup {
  const found = lookupIn(fake.objects);
  return (apiVersion, kind, namespace, name) => {
    const failure = fake.resources[`${apiVersion}/${kind}`]?.error;
    if (failure) throw new Error(failure);
    return found(apiVersion, kind, namespace, name);
  };
}

function renderCase(
  c: EngineCase & { chart?: Chart; values?: Record<string, unknown>; release?: Record<string, unknown> },
  lintMode: boolean,
) {
  return renderChart(c.chart as Chart, c.values ?? {}, {
    lintMode,
    ...(c.engine?.strict ? { strict: true } : {}),
    ...(c.release ? { release: c.release } : {}),
    ...(c.lookup ? { lookup: caseLookup(c.lookup) } : {}),
  });
}

describe("engine-cases.json (charts)", () => {
  const charts = engineCases.filter((c) => c.kind === "chart");
  it.each(charts.filter((c) => PASSING_CHART_CASES.has(c.name)).map((c) => [c.name, c] as const))(
    "%s",
    (_name, c) => {
      if (c.expectedError !== undefined) {
        const message = errorOf(() => renderCase(c, false));
        expect(matches(message, c.expectedError, c.expectedErrorMatch), message).toBe(true);
      } else if (c.expectedOutputCount !== undefined) {
        // the case checks how many files render, and the content of some of them only
        const out = renderCase(c, false);
        expect(Object.keys(out)).toHaveLength(c.expectedOutputCount);
        for (const [name, text] of Object.entries(c.expected ?? {})) expect(out[name]).toBe(text);
      } else expect(renderCase(c, false)).toEqual(c.expected);
    },
  );
  it.skip.each(charts.filter((c) => !PASSING_CHART_CASES.has(c.name)).map((c) => c.name))("%s", () => {});
});

describe("engine-cases.json (template order)", () => {
  for (const c of engineCases.filter((x) => x.kind === "sortTemplates") as (EngineCase & {
    input: string[];
    expectedOrder: string[];
  })[])
    it(c.name, () => expect(sortTemplates(c.input)).toEqual(c.expectedOrder));
});

/** A chart directory's files, read by the test (the library itself does no I/O), packaged subcharts unpacked. */
function chartFiles(dir: URL): Promise<Record<string, string>> {
  const files: ChartFiles = {};
  const root = fileURLToPath(dir);
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else
        files[relative(root, path)] = path.endsWith(".tgz") ? readFileSync(path) : readFileSync(path, "utf8");
    }
  };
  walk(root);
  return expandSubchartArchives(files);
}

describe("cases.json (helm template goldens)", () => {
  it.each(templateCases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const flags = c.flags;
    const files = c.chartDir ? await chartFiles(new URL(`${c.chartDir}/`, root)) : undefined;
    const out = helmTemplateOutput(files, {
      releaseName: c.releaseName ?? "release-name",
      namespace: c.namespace,
      ...(flags.set ? { set: flags.set } : {}),
      ...(flags.values
        ? { valuesFiles: flags.values.map((f) => readFileSync(new URL(f, root), "utf8")) }
        : {}),
      ...(flags.kubeVersion ? { kubeVersion: flags.kubeVersion } : {}),
      ...(flags.apiVersions ? { apiVersions: flags.apiVersions } : {}),
      ...(flags.includeCrds ? { includeCrds: true } : {}),
      ...(flags.skipTests ? { skipTests: true } : {}),
      ...(flags.showOnly ? { showOnly: flags.showOnly } : {}),
      ...(flags.nameTemplate ? { nameTemplate: flags.nameTemplate } : {}),
      ...(flags.debug ? { debug: true } : {}),
    });
    expect(out).toBe(readFileSync(new URL(c.expected, root), "utf8"));
  });
});
