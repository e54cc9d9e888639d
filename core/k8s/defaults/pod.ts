import type { Container, Pod } from "../types";

type Probe = Record<string, unknown> & { httpGet?: Record<string, unknown> };

function defaultProbe(probe: Probe | undefined): void {
  if (!probe) return;
  probe.timeoutSeconds ??= 1;
  probe.periodSeconds ??= 10;
  probe.successThreshold ??= 1;
  probe.failureThreshold ??= 3;
  if (probe.httpGet) {
    probe.httpGet.path ??= "/";
    probe.httpGet.scheme ??= "HTTP";
  }
}

function imageTag(image: string): string | undefined {
  const last = image.split("/").pop() ?? "";
  if (last.includes("@")) return "digest";
  return last.includes(":") ? last.split(":").pop() : undefined;
}

export function defaultContainer(c: Container): void {
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  if (!c.imagePullPolicy && c.image) {
    const tag = imageTag(c.image);
    c.imagePullPolicy = tag === undefined || tag === "latest" ? "Always" : "IfNotPresent";
  }
  for (const p of c.ports ?? []) p.protocol ??= "TCP";
  c.resources ??= {};
  const { limits, requests } = c.resources;
  if (limits && Object.keys(limits).length > 0) c.resources.requests = { ...limits, ...requests };
  for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"])
    defaultProbe(c[probe] as Probe | undefined);
  for (const e of c.env ?? []) {
    const ref = (e.valueFrom as { fieldRef?: { apiVersion?: string } } | undefined)?.fieldRef;
    if (ref) ref.apiVersion ??= "v1";
  }
}

/**
 * Fills in what kube-apiserver and its default admission plugins set on a new pod, so that `get -o yaml`
 * shows the same object a real cluster would.
 */
export function defaultPod(pod: Pod): Pod {
  const spec = pod.spec;
  spec.restartPolicy ??= "Always";
  spec.dnsPolicy ??= "ClusterFirst";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= "default-scheduler";
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  spec.serviceAccountName ??= (spec.serviceAccount as string | undefined) ?? "default";
  spec.serviceAccount ??= spec.serviceAccountName;
  for (const c of [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
    ...(spec.ephemeralContainers ?? []),
  ])
    defaultContainer(c);
  for (const v of (spec.volumes as Record<string, Record<string, unknown>>[] | undefined) ?? []) {
    if (v.configMap) v.configMap.defaultMode ??= 420;
    if (v.secret) v.secret.defaultMode ??= 420;
    if (v.hostPath) v.hostPath.type ??= "";
  }
  return pod;
}
