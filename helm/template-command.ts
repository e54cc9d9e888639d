import { parseAllDocuments, parse as parseYaml } from "yaml";
import { Capabilities, type Chart, renderChart } from "./chart";
import { renderTemplates } from "./engine";
import type { Lookup } from "./lookup";
import { parseSetValues } from "./strvals";
import { mergeValues } from "./values";
import { goYamlError } from "./yaml";

/** `helm template`'s inputs besides the chart's files. */
export interface TemplateOptions {
  releaseName: string;
  namespace: string;
  /** `-f` files' contents, in order. */
  valuesFiles?: string[];
  /** `--set a.b=c` assignments, in order. */
  set?: string[];
  /** `--set-string` assignments, applied after `set`. */
  setString?: string[];
  /** `--kube-version 1.16.0`. */
  kubeVersion?: string;
  apiVersions?: string[];
  includeCrds?: boolean;
  skipTests?: boolean;
  /** `--show-only` globs, chart-relative (`templates/service.yaml`). */
  showOnly?: string[];
  /** The cluster `lookup` reads (none under `helm template`). */
  lookup?: Lookup;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, "[^/]*")
    .replace(/\?/g, "[^/]");
  return new RegExp(`^${body}$`);
}

/** Helm's InstallOrder: the kinds a release creates first. */
const INSTALL_ORDER = [
  "PriorityClass",
  "Namespace",
  "NetworkPolicy",
  "ResourceQuota",
  "LimitRange",
  "PodSecurityPolicy",
  "PodDisruptionBudget",
  "ServiceAccount",
  "Secret",
  "SecretList",
  "ConfigMap",
  "StorageClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleList",
  "ClusterRoleBinding",
  "ClusterRoleBindingList",
  "Role",
  "RoleList",
  "RoleBinding",
  "RoleBindingList",
  "Service",
  "DaemonSet",
  "Pod",
  "ReplicationController",
  "ReplicaSet",
  "Deployment",
  "HorizontalPodAutoscaler",
  "StatefulSet",
  "Job",
  "CronJob",
  "IngressClass",
  "Ingress",
  "APIService",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
];

const HOOK_TYPES = new Set([
  "pre-install",
  "post-install",
  "pre-delete",
  "post-delete",
  "pre-upgrade",
  "post-upgrade",
  "pre-rollback",
  "post-rollback",
  "test",
  "test-success",
]);

type Files = Record<string, string>;

/** A chart from its files (paths relative to the chart's directory); subcharts from `charts/<dir>/`. */
export function loadChart(files: Files): Chart {
  const meta = (parseYaml(files["Chart.yaml"] ?? "") ?? {}) as Record<string, unknown>;
  if (meta.type !== undefined && meta.type !== "" && meta.type !== "application" && meta.type !== "library")
    throw new Error("validation: chart.metadata.type must be application or library");
  const templates: Record<string, string> = {};
  const other: Record<string, string> = {};
  const subcharts = new Map<string, Files>();
  for (const [path, text] of Object.entries(files)) {
    const sub = /^charts\/([^/]+)\/(.+)$/.exec(path);
    if (sub) {
      const dir = sub[1] as string;
      subcharts.set(dir, { ...subcharts.get(dir), [sub[2] as string]: text });
    } else if (path.startsWith("templates/")) templates[path] = text;
    else if (!["Chart.yaml", "values.yaml", "values.schema.json"].includes(path)) other[path] = text;
  }
  return {
    name: String(meta.name ?? ""),
    ...(meta.type ? { type: String(meta.type) } : {}),
    version: String(meta.version ?? ""),
    apiVersion: String(meta.apiVersion ?? "v2"),
    ...(meta.appVersion !== undefined ? { appVersion: String(meta.appVersion) } : {}),
    values: (parseYaml(files["values.yaml"] ?? "") ?? {}) as Record<string, unknown>,
    files: other,
    templates,
    dependencies: [...subcharts.values()].filter((f) => f["Chart.yaml"]).map(loadChart),
    metadata: meta,
    ...(files["values.schema.json"] !== undefined ? { schema: files["values.schema.json"] } : {}),
  };
}

/** The CRD files of the chart and its subcharts, unrendered, as `--include-crds` prints them first. */
function crdSections(name: string, files: Files): string {
  let out = "";
  for (const path of Object.keys(files).sort()) {
    const own = /^crds\/(.+)$/.exec(path);
    if (own) out += `---\n# Source: ${name}/${path}\n${files[path]}\n`;
  }
  return out;
}

/** Splits rendered text into YAML documents as Helm does: on `---` lines, blank ones dropped, leading space trimmed. */
function documents(text: string): string[] {
  return text
    .split(/^---[ \t]*$/m)
    .map((d) => d.replace(/^\s+/, ""))
    .filter((d) => d.trim() !== "");
}

export interface Manifest {
  path: string;
  kind: string;
  text: string;
  hook?: string[];
}

function kindRank(kind: string): number {
  const i = INSTALL_ORDER.indexOf(kind);
  return i < 0 ? INSTALL_ORDER.length : i;
}

function byInstallOrder(a: Manifest, b: Manifest): number {
  const ra = kindRank(a.kind);
  const rb = kindRank(b.kind);
  if (ra !== rb) return ra - rb;
  return ra === INSTALL_ORDER.length && a.kind !== b.kind ? (a.kind < b.kind ? -1 : 1) : 0;
}

/** A rendered manifest that is not YAML: Helm's message, and every rendered file as `--debug` shows them. */
export class ManifestParseError extends Error {
  override name = "ManifestParseError";
  constructor(
    message: string,
    readonly rendered: string,
  ) {
    super(message);
  }
}

/** A rendered chart: its manifests in install order, its hooks, and its notes. */
export interface RenderedChart {
  chart: Chart;
  values: Record<string, unknown>;
  manifests: Manifest[];
  hooks: Manifest[];
  notes: string;
}

/** Renders a chart's files as an install (or an upgrade) of a release would. Pure. */
export function renderRelease(
  files: Files,
  options: TemplateOptions & { revision?: number; isUpgrade?: boolean; values?: Record<string, unknown> },
): RenderedChart {
  const chart = loadChart(files);
  let values: Record<string, unknown> = { ...(options.values ?? {}) };
  for (const text of options.valuesFiles ?? [])
    values = mergeValues(values, (parseYaml(text) ?? {}) as Record<string, unknown>);
  values = mergeValues(values, parseSetValues(options.set ?? []));
  values = mergeValues(values, parseSetValues(options.setString ?? [], true));
  const [major = "1", minor = "20"] = (options.kubeVersion ?? "").replace(/^v/, "").split(".");
  const rendered = renderChart(chart, values, {
    release: {
      Name: options.releaseName,
      Namespace: options.namespace,
      Service: "Helm",
      IsInstall: !options.isUpgrade,
      IsUpgrade: options.isUpgrade === true,
      Revision: options.revision ?? 1,
    },
    capabilities: new Capabilities(options.kubeVersion ? { major, minor } : undefined, options.apiVersions),
    ...(options.lookup ? { lookup: options.lookup } : {}),
  });
  const all: Manifest[] = [];
  let notes = "";
  for (const path of Object.keys(rendered).sort()) {
    if (path.endsWith("NOTES.txt")) {
      if (path === `${chart.name}/templates/NOTES.txt`) notes = rendered[path] as string;
      continue;
    }
    for (const text of documents(rendered[path] as string)) {
      const [parsed] = parseAllDocuments(text);
      const error = parsed?.errors[0];
      if (error)
        throw new ManifestParseError(
          `YAML parse error on ${path}: error converting YAML to JSON: ${goYamlError(error)}`,
          Object.entries(rendered)
            .filter(([, content]) => content.trim() !== "")
            .map(([name, content]) => `---\n# Source: ${name}\n${content}\n`)
            .join(""),
        );
      const doc = (parsed?.toJS() ?? {}) as {
        kind?: string;
        metadata?: { annotations?: Record<string, string> };
      };
      const hook = doc.metadata?.annotations?.["helm.sh/hook"];
      const events = hook?.split(",").map((h) => h.trim());
      if (events && !events.some((e) => HOOK_TYPES.has(e))) continue;
      all.push({ path, kind: doc.kind ?? "", text, ...(events ? { hook: events } : {}) });
    }
  }
  return {
    chart,
    values,
    manifests: all.filter((m) => !m.hook).sort(byInstallOrder),
    hooks: all.filter((m) => m.hook).sort(byInstallOrder),
    notes,
  };
}

/** A manifest as Helm prints and stores it: `---`, its source, its text. */
export const section = (m: Manifest) => `---\n# Source: ${m.path}\n${m.text}\n`;

/**
 * What `helm template` prints for a chart: every rendered manifest in install order with its `# Source`,
 * then the hooks. Pure: the caller reads the chart's files.
 */
export function templateCommand(files: Files, options: TemplateOptions): string {
  const { chart, manifests, hooks } = renderRelease(files, options);
  const crds = options.includeCrds ? crdSections(chart.name, files) : "";
  const kept = hooks.filter((m) => !(options.skipTests && m.hook?.includes("test")));
  const text = `${(crds + manifests.map(section).join("")).trim()}\n${kept.map(section).join("")}`;
  if (!options.showOnly?.length) return text;
  const docs = documents(text);
  let out = "";
  for (const pattern of options.showOnly) {
    const glob = globToRegExp(`${chart.name}/${pattern}`);
    const found = docs.filter((d) => glob.test(/^# Source: (.+)$/m.exec(d)?.[1] ?? ""));
    if (found.length === 0) throw new Error(`could not find template ${pattern} in chart`);
    for (const d of found) out += `---\n${d}\n`;
  }
  return out;
}

/** `helm template`'s flags that only shape what the command prints. */
export interface TemplateCliOptions extends TemplateOptions {
  /** `--name-template`: the release name, rendered as a template. */
  nameTemplate?: string;
  /** `--debug`: on a YAML error, print what was rendered before the error. */
  debug?: boolean;
}

/**
 * What `helm template [NAME] CHART` prints, failures included as the CLI words them (`Error: …`), for a
 * chart's files; without files, as when the chart argument is missing.
 */
export function helmTemplateOutput(files: Files | undefined, options: TemplateCliOptions): string {
  if (!files)
    return 'Error: "helm template" requires at least 1 argument\n\nUsage:  helm template [NAME] [CHART] [flags]\n';
  try {
    const releaseName = options.nameTemplate
      ? (renderTemplates({ "name-template": options.nameTemplate }, undefined)["name-template"] ?? "")
      : options.releaseName;
    return templateCommand(files, { ...options, releaseName });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (!(e instanceof ManifestParseError)) return `Error: ${message}\n`;
    return options.debug
      ? `${e.rendered.trim()}\nError: ${message}\n`
      : `Error: ${message}\n\nUse --debug flag to render out invalid YAML\n`;
  }
}
