import {
  AppsV1Api,
  CustomObjectsApi,
  type Informer,
  KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  KubernetesObjectApi,
  makeInformer,
  PatchStrategy,
  type V1Deployment,
} from "@kubernetes/client-node";
import {
  DEFAULT_IMAGE,
  desiredObjects,
  GROUP,
  MANAGER,
  PLURAL,
  statusChanged,
  statusOf,
  VERSION,
  type Website,
} from "./reconcile";

/**
 * The website operator: watches Websites in every namespace through the in-cluster API and, level-triggered,
 * server-side applies the objects each one stands for and writes its status. Deployments it manages are
 * watched too, so a Website's status follows its pods.
 */
const RESYNC_MS = 30_000;
const RETRY_MS = 5_000;
const image = process.env.WEBSITE_IMAGE || DEFAULT_IMAGE;

const kc = new KubeConfig();
kc.loadFromCluster();
const objects = KubernetesObjectApi.makeApiClient(kc);
const custom = kc.makeApiClient(CustomObjectsApi);
const apps = kc.makeApiClient(AppsV1Api);

const log = (message: string) => process.stdout.write(`${new Date().toISOString()} ${message}\n`);
const managed = `app.kubernetes.io/managed-by=${MANAGER}`;

const websites = makeInformer<Website & KubernetesObject>(
  kc,
  `/apis/${GROUP}/${VERSION}/${PLURAL}`,
  () =>
    custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL }) as Promise<
      KubernetesListObject<Website & KubernetesObject>
    >,
);
const deployments = makeInformer<V1Deployment>(
  kc,
  "/apis/apps/v1/deployments",
  () => apps.listDeploymentForAllNamespaces({ labelSelector: managed }),
  managed,
);

const queue = new Set<string>();
let wake: (() => void) | undefined;
function enqueue(namespace: string | undefined, name: string | undefined): void {
  if (!namespace || !name) return;
  queue.add(`${namespace}/${name}`);
  wake?.();
}

async function reconcile(namespace: string, name: string): Promise<void> {
  const website = websites.get(name, namespace);
  if (!website || (website as KubernetesObject).metadata?.deletionTimestamp) return;
  for (const object of desiredObjects(website, image))
    await objects.patch(object, undefined, undefined, MANAGER, true, PatchStrategy.ServerSideApply);
  const deployment = deployments.get(name, namespace)?.status;
  const status = statusOf(website, deployment, new Date());
  if (!statusChanged(website.status, status)) return;
  await custom.patchNamespacedCustomObjectStatus({
    group: GROUP,
    version: VERSION,
    plural: PLURAL,
    namespace,
    name,
    body: [{ op: "add", path: "/status", value: status }],
  });
  log(`${namespace}/${name}: ${status.conditions[0]?.message}`);
}

async function work(): Promise<never> {
  for (;;) {
    const [key] = queue;
    if (key === undefined) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
      continue;
    }
    queue.delete(key);
    const [namespace = "", name = ""] = key.split("/");
    try {
      await reconcile(namespace, name);
    } catch (err) {
      log(`${key}: ${(err as Error).message}; retrying in ${RETRY_MS / 1000}s`);
      setTimeout(() => enqueue(namespace, name), RETRY_MS);
    }
  }
}

function watch<T extends KubernetesObject>(what: string, informer: Informer<T>, keyOf: (o: T) => void) {
  for (const event of ["add", "update"] as const) informer.on(event, keyOf);
  informer.on("delete", keyOf);
  informer.on("error", (err: unknown) => {
    log(`watching ${what}: ${(err as Error)?.message ?? err}; restarting in ${RETRY_MS / 1000}s`);
    setTimeout(() => informer.start().catch(() => undefined), RETRY_MS);
  });
}

/** Starts an informer, again and again while its first list fails (the CRD not installed yet). */
async function start(what: string, informer: Informer<KubernetesObject>): Promise<void> {
  for (;;) {
    try {
      return await informer.start();
    } catch (err) {
      log(`listing ${what}: ${(err as Error).message}; retrying in ${RETRY_MS / 1000}s`);
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}

async function main(): Promise<void> {
  watch("websites", websites, (w) => enqueue(w.metadata?.namespace, w.metadata?.name));
  watch("deployments", deployments, (d) => {
    const owner = d.metadata?.ownerReferences?.find(
      (o) => o.controller && o.apiVersion === `${GROUP}/${VERSION}`,
    );
    enqueue(d.metadata?.namespace, owner?.name);
  });
  await start("websites", websites as Informer<KubernetesObject>);
  await start("deployments", deployments as Informer<KubernetesObject>);
  setInterval(() => {
    for (const w of websites.list()) enqueue(w.metadata?.namespace, w.metadata?.name);
  }, RESYNC_MS);
  log(`watching ${PLURAL}.${GROUP} in every namespace (pages served by ${image})`);
  await work();
}

main().catch((err) => {
  log(`fatal: ${(err as Error).message}`);
  process.exit(1);
});
