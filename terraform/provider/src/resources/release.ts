import { stringify } from "yaml";
import { ApiFailure, type Client, deleteAndWait, getOrNull } from "../client";
import { type Diagnostic, error } from "../diagnostics";
import { chartBody, chartDigest, localChart } from "../local-chart";
import { type PlanInput, type Planned, planChange } from "../plan";
import { mergeValues, releaseValues, valuesMatch } from "../release-values";
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
    chart_digest: {
      type: "string",
      computed: true,
      description:
        "The SHA-256 of a local chart's files (or packaged chart) as last installed: a change of its contents upgrades the release, its version bumped or not.",
    },
    revision: { type: "number", computed: true, description: "The release's revision." },
    status: { type: "string", computed: true, description: "Helm's status of the revision: deployed…" },
    notes: { type: "string", computed: true, description: "The chart's rendered NOTES.txt." },
  },
  blocks: timeoutsBlock(["create", "update", "delete"]),
};

/** What an update changes: any of these, in place, as one new revision. */
const UPGRADED_BY = ["chart", "values", "set", "chart_version", "chart_digest"];
/** What a new revision sets. */
const OF_REVISION = ["revision", "status", "notes", "chart_version"];
const PENDING = /^(pending-|uninstalling$)/;
const POLL_MS = 500;

const releasePath = (state: ObjectValue) =>
  `/v1/clusters/${encodeURIComponent(String(state.cluster))}/releases/${encodeURIComponent(String(state.name))}?namespace=${encodeURIComponent(String(state.namespace ?? "default"))}`;

/** Helm's chart field `<name>-<version>` split in two. */
function chartParts(chart: string): { name: string; version: string } {
  const match = /^(.*)-(v?\d+\.\d+\.\d+\S*)$/.exec(chart);
  return match ? { name: match[1] as string, version: match[2] as string } : { name: chart, version: "" };
}

/**
 * The release as a state: what the configuration gave kept from `from` while the release's values are still
 * what it makes (else they are the release's, as one YAML document, and the plan upgrades back), but for an
 * import, which takes the API's.
 */
function stateOf(
  release: Release,
  from: ObjectValue,
  digest: Value = from.chart_digest ?? null,
): ObjectValue {
  const importing = (from.chart ?? null) === null;
  const { name: chartName, version } = chartParts(release.chart);
  const current = Object.keys(release.values).length ? [stringify(release.values)] : null;
  const kept = !importing && valuesMatch(from.values, from.set, release.values);
  return conform(releaseSchema, {
    id: `${String(from.cluster)}/${release.namespace}/${release.name}`,
    cluster: from.cluster,
    name: release.name,
    namespace: release.namespace,
    chart: importing ? chartName : from.chart,
    values: kept ? (from.values ?? null) : current,
    set: from.set ?? null,
    chart_version: version,
    chart_digest: digest,
    revision: release.revision,
    status: release.status,
    notes: release.notes,
    timeouts: from.timeouts,
  }) as ObjectValue;
}

/** The body of an install or upgrade, and the digest of the chart it uploads. */
function body(planned: ObjectValue) {
  const chart = chartBody(String(planned.chart));
  return { body: { chart, ...releaseValues(planned.values, planned.set) }, digest: chartDigest(chart) };
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

/** A chart's files as they are now, as a plan sees them: a new digest (or directory version) upgrades the release. */
function chartNow(chart: Value): ObjectValue {
  if (chart === UNKNOWN) return { chart_digest: UNKNOWN };
  const local = localChart(chart);
  if (!local) return { chart_digest: null };
  return { chart_digest: local.digest, ...(local.version === null ? {} : { chart_version: local.version }) };
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
    const proposed = asObject(input.proposed);
    if (!proposed) return planRelease(input);
    return planRelease({ ...input, proposed: { ...proposed, ...chartNow(proposed.chart ?? null) } });
  },
  async create(client, planned) {
    const path = `/v1/clusters/${encodeURIComponent(String(planned.cluster))}/releases`;
    const { body: install, digest } = body(planned);
    const release = await client.request<Release>("POST", path, {
      name: planned.name,
      namespace: planned.namespace ?? "default",
      ...install,
    });
    return stateOf(
      await settled(client, planned.cluster ?? null, release, timeoutOf(planned, "create")),
      planned,
      digest,
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
    const { body: upgrade, digest } = body(planned);
    const release = await client.request<Release>("PUT", releasePath(planned), upgrade);
    return stateOf(
      await settled(client, planned.cluster ?? null, release, timeoutOf(planned, "update")),
      planned,
      digest,
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
