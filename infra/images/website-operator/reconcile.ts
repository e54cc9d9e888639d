import { createHash } from "node:crypto";

export const GROUP = "examples.timonier.io";
export const VERSION = "v1";
export const PLURAL = "websites";
export const KIND = "Website";
export const MANAGER = "website-operator";
export const DEFAULT_IMAGE = "nginx:1.25";

export interface WebsiteSpec {
  replicas?: number;
  message?: string;
  html?: string;
}

export interface Condition {
  type: string;
  status: "True" | "False";
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export interface WebsiteStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas: number;
  url: string;
  conditions: Condition[];
}

export interface Website {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; uid: string; generation?: number };
  spec?: WebsiteSpec;
  status?: WebsiteStatus;
}

/** What the operator reads back from the Deployment it owns. */
export interface DeploymentState {
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
}

type Manifest = Record<string, unknown>;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page served: the spec's html as written, or a small page around its message. */
export function pageOf(website: Website): string {
  const spec = website.spec ?? {};
  if (spec.html) return spec.html;
  const message = escapeHtml(spec.message ?? "");
  return `<!doctype html>\n<html><head><title>${escapeHtml(website.metadata.name)}</title></head><body><h1>${message}</h1></body></html>\n`;
}

function labels(website: Website): Record<string, string> {
  return {
    "app.kubernetes.io/name": "website",
    "app.kubernetes.io/instance": website.metadata.name,
    "app.kubernetes.io/managed-by": MANAGER,
  };
}

function owned(website: Website, kind: string, apiVersion: string): Manifest {
  return {
    apiVersion,
    kind,
    metadata: {
      name: website.metadata.name,
      namespace: website.metadata.namespace,
      labels: labels(website),
      ownerReferences: [
        {
          apiVersion: `${GROUP}/${VERSION}`,
          kind: KIND,
          name: website.metadata.name,
          uid: website.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
  };
}

/**
 * The objects a Website stands for, each owned by it (deleting the Website collects them): a ConfigMap
 * holding the page, an nginx Deployment serving it (rolled when the page changes) and a Service in front.
 */
export function desiredObjects(website: Website, image = DEFAULT_IMAGE): Manifest[] {
  const page = pageOf(website);
  const selector = {
    "app.kubernetes.io/name": "website",
    "app.kubernetes.io/instance": website.metadata.name,
  };
  const configMap = { ...owned(website, "ConfigMap", "v1"), data: { "index.html": page } };
  const deployment = {
    ...owned(website, "Deployment", "apps/v1"),
    spec: {
      replicas: website.spec?.replicas ?? 1,
      selector: { matchLabels: selector },
      template: {
        metadata: {
          labels: labels(website),
          annotations: {
            [`${GROUP}/page-sha256`]: createHash("sha256").update(page).digest("hex").slice(0, 16),
          },
        },
        spec: {
          containers: [
            {
              name: "nginx",
              image,
              ports: [{ name: "http", containerPort: 80 }],
              readinessProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 2 },
              volumeMounts: [{ name: "page", mountPath: "/usr/share/nginx/html", readOnly: true }],
            },
          ],
          volumes: [{ name: "page", configMap: { name: website.metadata.name } }],
        },
      },
    },
  };
  const service = {
    ...owned(website, "Service", "v1"),
    spec: { selector, ports: [{ name: "http", port: 80, targetPort: "http" }] },
  };
  return [configMap, deployment, service];
}

export function urlOf(website: Website): string {
  return `http://${website.metadata.name}.${website.metadata.namespace}.svc.cluster.local/`;
}

/**
 * The status the operator writes from what its Deployment reports: Ready once every wanted replica is
 * ready; a condition keeps its lastTransitionTime while its status does not change.
 */
export function statusOf(
  website: Website,
  deployment: DeploymentState | undefined,
  now: Date,
): WebsiteStatus {
  const wanted = website.spec?.replicas ?? 1;
  const ready = deployment?.readyReplicas ?? 0;
  const isReady = deployment !== undefined && ready >= wanted;
  const condition = {
    type: "Ready",
    status: isReady ? ("True" as const) : ("False" as const),
    reason: deployment === undefined ? "Creating" : isReady ? "Available" : "Progressing",
    message: `${ready}/${wanted} replicas ready`,
  };
  const previous = website.status?.conditions?.find((c) => c.type === "Ready");
  const lastTransitionTime =
    previous && previous.status === condition.status ? previous.lastTransitionTime : now.toISOString();
  return {
    ...(website.metadata.generation !== undefined ? { observedGeneration: website.metadata.generation } : {}),
    replicas: deployment?.replicas ?? 0,
    readyReplicas: ready,
    url: urlOf(website),
    conditions: [{ ...condition, lastTransitionTime }],
  };
}

/** Whether writing `next` would change the stored status: an unchanged one is not written again. */
export function statusChanged(current: WebsiteStatus | undefined, next: WebsiteStatus): boolean {
  return JSON.stringify(current ?? null) !== JSON.stringify(next);
}
