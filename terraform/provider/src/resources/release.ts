import { readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { ApiFailure, type Client, deleteAndWait, getOrNull } from "../client";
import { type Diagnostic, error } from "../diagnostics";
import { type PlanInput, type Planned, planChange } from "../plan";
import type { ResourceType } from "../resource";
import { type BlockSchema, conform } from "../schema";
import { timeoutOf, timeoutsBlock, validateTimeouts } from "../timeouts";
import { validateLabel } from "../validation";
import { asObject, type ObjectValue, UNKNOWN, type Value } from "../values";

interface Release {
  name: string;
  namespace: string;
  revision: number;
  status: string;
  chart: string;
  description: string;
  notes: string;
  values: Record<string, unknown>;
}

export const releaseSchema: BlockSchema = {
  version: 0,
  description: "A Helm release in a Timonier cluster, upgraded in place when its chart or values change.",
  attributes: {
    id: { type: "string", computed: true, description: "<cluster>/<namespace>/<name>." },
    cluster: { type: "string", required: true, description: "The id of the cluster the release is in." },
    name: { type: "string", required: true, description: "The release's name, a DNS-1123 label." },
    namespace: {
      type: "string",
      optional: true,
      computed: true,
      description: "The release's namespace; default when unset.",
    },
    chart: {
      type: "string",
      required: true,
      description:
        "A chart of the catalog by name (e.g. web), or the path of a chart directory or packaged chart (.tgz); a path is one with a '/' or ending in .tgz.",
    },
    values: {
      type: ["list", "string"],
      optional: true,
      description: "Values files' contents (YAML or JSON), merged in order as helm -f merges them.",
    },
    set: {
      type: ["map", "string"],
      optional: true,
      description: "--set assignments by key (e.g. replicaCount = 2), applied after values.",
    },
    chart_version: {
      type: "string",
      computed: true,
      description: "The version of the release's chart; a change of a local chart's version upgrades it.",
    },
    revision: { type: "number", computed: true, description: "The release's revision." },
    status: { type: "string", computed: true, description: "Helm's status of the revision: deployed…" },
    notes: { type: "string", computed: true, description: "The chart's rendered NOTES.txt." },
  },
  blocks: timeoutsBlock(["create", "update", "delete"]),
};

/** What an update changes: any of these, in place, as one new revision. */
const UPGRADED_BY = ["chart", "values", "set", "chart_version"];
/** What a new revision sets. */
const OF_REVISION = ["revision", "status", "notes", "chart_version"];
const PENDING = /^(pending-|uninstalling$)/;
const POLL_MS = 500;

const isLocal = (chart: string) => chart.includes("/") || chart.endsWith(".tgz");

const releasePath = (state: ObjectValue) =>
  `/v1/clusters/${encodeURIComponent(String(state.cluster))}/releases/${encodeURIComponent(String(state.name))}?namespace=${encodeURIComponent(String(state.namespace ?? "default"))}`;

/** Helm's chart field `<name>-<version>` split in two. */
function chartParts(chart: string): { name: string; version: string } {
  const match = /^(.*)-(v?\d+\.\d+\.\d+\S*)$/.exec(chart);
  return match ? { name: match[1] as string, version: match[2] as string } : { name: chart, version: "" };
}

/** The release as a state: what the configuration gave kept from `from`, but for an import, which takes the API's. */
function stateOf(release: Release, from: ObjectValue): ObjectValue {
  const importing = (from.chart ?? null) === null;
  const { name: chartName, version } = chartParts(release.chart);
  const values = Object.keys(release.values).length ? [stringify(release.values)] : null;
  return conform(releaseSchema, {
    id: `${String(from.cluster)}/${release.namespace}/${release.name}`,
    cluster: from.cluster,
    name: release.name,
    namespace: release.namespace,
    chart: importing ? chartName : from.chart,
    values: importing ? values : (from.values ?? null),
    set: from.set ?? null,
    chart_version: version,
    revision: release.revision,
    status: release.status,
    notes: release.notes,
    timeouts: from.timeouts,
  }) as ObjectValue;
}

/** Values files merged as helm merges them: maps key by key, anything else replaced. */
export function mergeValues(files: string[]): Record<string, unknown> {
  const merge = (base: Record<string, unknown>, over: Record<string, unknown>) => {
    const out = { ...base };
    for (const [key, value] of Object.entries(over)) {
      const prior = out[key];
      out[key] = isMap(prior) && isMap(value) ? merge(prior as Record<string, unknown>, value) : value;
    }
    return out;
  };
  return files.reduce<Record<string, unknown>>((acc, file) => {
    const parsed = parse(file) ?? {};
    if (!isMap(parsed)) throw new Error("a values file must be a mapping");
    return merge(acc, parsed);
  }, {});
}

const isMap = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** A local chart directory's version from its Chart.yaml, when it can be read now. */
function localVersion(chart: Value): string | null {
  if (typeof chart !== "string" || !isLocal(chart) || chart.endsWith(".tgz")) return null;
  try {
    const meta = parse(readFileSync(join(resolve(chart), "Chart.yaml"), "utf8")) as { version?: unknown };
    return meta?.version === undefined ? null : String(meta.version);
  } catch {
    return null;
  }
}

/** The chart as the management API takes it: a catalog name, a packaged chart, or a directory's files. */
async function chartBody(chart: string) {
  if (!isLocal(chart)) return { catalog: chart };
  const path = resolve(chart);
  if (chart.endsWith(".tgz")) return { archive: (await readFile(path)).toString("base64") };
  const files: Record<string, string> = {};
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const file = join(dir, entry.name);
      if (entry.isDirectory()) await walk(file);
      else {
        const name = relative(path, file);
        const bytes = await readFile(file);
        // packaged subcharts go base64-encoded, as the API expects them
        files[name] = /^charts\/[^/]+\.tgz$/.test(name) ? bytes.toString("base64") : bytes.toString("utf8");
      }
    }
  };
  await walk(path);
  return { files };
}

async function body(planned: ObjectValue) {
  const values = Array.isArray(planned.values) ? (planned.values as string[]) : [];
  const set = asObject(planned.set ?? null) ?? {};
  return {
    chart: await chartBody(String(planned.chart)),
    values: mergeValues(values),
    set: Object.entries(set).map(([key, value]) => `${key}=${String(value)}`),
  };
}

/** The release once its hooks have run: deployed, or an error with Helm's description of the failure. */
async function settled(
  client: Client,
  cluster: Value,
  release: Release,
  timeoutMs: number,
): Promise<Release> {
  const deadline = Date.now() + timeoutMs;
  let current = release;
  const path = releasePath({ cluster, name: release.name, namespace: release.namespace });
  while (PENDING.test(current.status)) {
    if (Date.now() > deadline)
      throw new Error(
        `release ${release.name} still ${current.status} after ${Math.round(timeoutMs / 1000)} s (timeouts)`,
      );
    await new Promise((r) => setTimeout(r, POLL_MS));
    current = await client.request<Release>("GET", path);
  }
  if (current.status === "failed") throw new Error(`release ${release.name} failed: ${current.description}`);
  return current;
}

export function planRelease(input: PlanInput): Planned {
  const planned = planChange(releaseSchema, ["cluster", "name", "namespace"], input);
  const proposed = asObject(planned.planned);
  const prior = asObject(input.prior);
  if (!proposed) return planned;
  const next: ObjectValue = { ...proposed };
  if ((asObject(input.config)?.namespace ?? null) === null && (!prior || planned.requiresReplace.length))
    next.namespace = prior?.namespace ?? "default";
  if (!prior || planned.requiresReplace.length) {
    if ([next.cluster, next.namespace, next.name].every((v) => typeof v === "string"))
      next.id = `${String(next.cluster)}/${String(next.namespace)}/${String(next.name)}`;
    return { ...planned, planned: next };
  }
  const same = (name: string) => JSON.stringify(prior[name] ?? null) === JSON.stringify(next[name] ?? null);
  if (UPGRADED_BY.every(same) && next.chart !== UNKNOWN && next.values !== UNKNOWN && next.set !== UNKNOWN)
    return planned;
  for (const name of OF_REVISION) next[name] = UNKNOWN;
  return { ...planned, planned: next };
}

export const releaseResource: ResourceType = {
  schema: releaseSchema,
  fields: { name: "name", namespace: "namespace", chart: "chart", values: "values", set: "set" },
  validate(config) {
    const diagnostics: Diagnostic[] = [
      ...validateLabel(config, "name"),
      ...validateLabel(config, "namespace"),
    ];
    if (Array.isArray(config.values) && config.values.every((v) => typeof v === "string")) {
      try {
        mergeValues(config.values as string[]);
      } catch (failure) {
        diagnostics.push(error("Invalid values", (failure as Error).message, "values"));
      }
    }
    diagnostics.push(...validateTimeouts(config));
    if (config.chart === "") diagnostics.push(error("Invalid chart", "the chart must not be empty", "chart"));
    return diagnostics;
  },
  plan(input) {
    const planned = planRelease(input);
    const next = asObject(planned.planned);
    if (!next) return planned;
    const version = localVersion(next.chart ?? null);
    if (version === null) return planned;
    const prior = asObject(input.prior);
    if (next.chart_version === UNKNOWN || prior?.chart_version !== version)
      return planRelease({ ...input, proposed: { ...next, chart_version: version } });
    return planned;
  },
  async create(client, planned) {
    const path = `/v1/clusters/${encodeURIComponent(String(planned.cluster))}/releases`;
    const release = await client.request<Release>("POST", path, {
      name: planned.name,
      namespace: planned.namespace ?? "default",
      ...(await body(planned)),
    });
    return stateOf(
      await settled(client, planned.cluster ?? null, release, timeoutOf(planned, "create")),
      planned,
    );
  },
  async read(client, state) {
    const release = await getOrNull<Release>(client, releasePath(state));
    if (!release || release.status === "uninstalled") return null;
    return stateOf(release, state);
  },
  async update(client, prior, planned) {
    // a change of timeouts alone is no new revision
    if (planned.revision === prior.revision) return { ...prior, timeouts: planned.timeouts ?? null };
    const release = await client.request<Release>("PUT", releasePath(planned), await body(planned));
    return stateOf(
      await settled(client, planned.cluster ?? null, release, timeoutOf(planned, "update")),
      planned,
    );
  },
  delete: (client, state) => deleteAndWait(client, releasePath(state), timeoutOf(state, "delete")),
  imported(id) {
    const [cluster, namespace, name] = id.split("/");
    if (!cluster || !namespace || !name || id.split("/").length !== 3)
      throw new ApiFailure(400, "invalid_id", `import id "${id}" must be <cluster>/<namespace>/<name>`);
    return conform(releaseSchema, { id, cluster, namespace, name }) as ObjectValue;
  },
};
