import { isDeepStrictEqual } from "node:util";
import { parseQuantity, QUANTITY_FORMAT_MESSAGE } from "../quantity";
import { validateAffinity, validateTolerations } from "../scheduling/validation";
import type { Container, Pod } from "../types";
import { type FieldError, fieldErrors } from "./field-errors";
import { dns1123Label, envVarName, labelValue, portName, qualifiedName } from "./names";

const RESOURCE_NAMES = new Set(["cpu", "memory", "ephemeral-storage", "hugepages-2Mi", "hugepages-1Gi"]);
const VOLUME_SOURCES = [
  "emptyDir",
  "hostPath",
  "configMap",
  "secret",
  "persistentVolumeClaim",
  "projected",
  "downwardAPI",
  "nfs",
  "ephemeral",
];

function quantityValue(q: string): number {
  return parseQuantity(q) ?? Number.NaN;
}

function validateResources(c: Container, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const { limits = {}, requests = {} } = c.resources ?? {};
  for (const [kind, list] of [
    ["limits", limits],
    ["requests", requests],
  ] as const) {
    for (const [name, q] of Object.entries(list)) {
      const field = `${path}.resources.${kind}[${name}]`;
      if (!RESOURCE_NAMES.has(name) && !name.includes("/")) {
        errs.push(fieldErrors.invalid(field, name, "must be a standard resource type or fully qualified"));
      }
      if (typeof q !== "string" && typeof q !== "number") {
        errs.push(fieldErrors.invalid(field, q, "must be a quantity"));
      } else if (Number.isNaN(quantityValue(String(q)))) {
        errs.push(fieldErrors.invalid(field, q, QUANTITY_FORMAT_MESSAGE));
      } else if (quantityValue(String(q)) < 0) {
        errs.push(fieldErrors.invalid(field, q, "must be greater than or equal to 0"));
      }
    }
  }
  for (const [name, q] of Object.entries(requests)) {
    const limit = limits[name];
    if (limit !== undefined && quantityValue(String(q)) > quantityValue(String(limit))) {
      errs.push(
        fieldErrors.invalid(
          `${path}.resources.requests`,
          q,
          `must be less than or equal to ${name} limit of ${limit}`,
        ),
      );
    }
  }
  return errs;
}

function validateContainer(c: Container, path: string, volumes: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(fieldErrors.required(`${path}.name`));
  else for (const m of dns1123Label(c.name)) errs.push(fieldErrors.invalid(`${path}.name`, c.name, m));
  if (!c.image || !String(c.image).trim()) errs.push(fieldErrors.required(`${path}.image`));
  if (c.imagePullPolicy && !["Always", "IfNotPresent", "Never"].includes(c.imagePullPolicy)) {
    errs.push(
      fieldErrors.notSupported(`${path}.imagePullPolicy`, c.imagePullPolicy, [
        "Always",
        "IfNotPresent",
        "Never",
      ]),
    );
  }
  const portNames = new Set<string>();
  for (const [i, p] of (c.ports ?? []).entries()) {
    const pp = `${path}.ports[${i}]`;
    if (!Number.isInteger(p.containerPort) || p.containerPort < 1 || p.containerPort > 65535) {
      errs.push(
        fieldErrors.invalid(`${pp}.containerPort`, p.containerPort, "must be between 1 and 65535, inclusive"),
      );
    }
    if (p.protocol && !["TCP", "UDP", "SCTP"].includes(p.protocol)) {
      errs.push(fieldErrors.notSupported(`${pp}.protocol`, p.protocol, ["SCTP", "TCP", "UDP"]));
    }
    if (p.name) {
      for (const m of portName(p.name)) errs.push(fieldErrors.invalid(`${pp}.name`, p.name, m));
      if (portNames.has(p.name)) errs.push(fieldErrors.duplicate(`${pp}.name`, p.name));
      portNames.add(p.name);
    }
  }
  for (const [i, e] of (c.env ?? []).entries()) {
    if (!e.name) errs.push(fieldErrors.required(`${path}.env[${i}].name`));
    else
      for (const m of envVarName(e.name)) errs.push(fieldErrors.invalid(`${path}.env[${i}].name`, e.name, m));
  }
  for (const [i, m] of (
    (c.volumeMounts as { name: string; mountPath?: string }[] | undefined) ?? []
  ).entries()) {
    if (!volumes.has(m.name)) errs.push(fieldErrors.notFound(`${path}.volumeMounts[${i}].name`, m.name));
    if (!m.mountPath) errs.push(fieldErrors.required(`${path}.volumeMounts[${i}].mountPath`));
  }
  errs.push(...validateResources(c, path));
  return errs;
}

/** Validation of a new pod's spec, with kube-apiserver's field paths and messages. */
export function validatePodSpec(pod: Pod): FieldError[] {
  const errs: FieldError[] = [];
  const spec = pod.spec ?? ({} as Pod["spec"]);
  const volumes = new Set<string>();
  for (const [i, v] of ((spec.volumes as Record<string, unknown>[] | undefined) ?? []).entries()) {
    const name = v.name as string | undefined;
    if (!name) errs.push(fieldErrors.required(`spec.volumes[${i}].name`));
    else {
      for (const m of dns1123Label(name)) errs.push(fieldErrors.invalid(`spec.volumes[${i}].name`, name, m));
      if (volumes.has(name)) errs.push(fieldErrors.duplicate(`spec.volumes[${i}].name`, name));
      volumes.add(name);
    }
    const sources = VOLUME_SOURCES.filter((s) => v[s] !== undefined);
    if (sources.length === 0)
      errs.push(fieldErrors.required(`spec.volumes[${i}]`, "must specify a volume type"));
    if (sources.length > 1)
      errs.push(
        fieldErrors.forbidden(`spec.volumes[${i}].${sources[1]}`, "may not specify more than 1 volume type"),
      );
  }
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) {
    errs.push(fieldErrors.required("spec.containers"));
  }
  const names = new Set<string>();
  for (const [group, list] of [
    ["initContainers", spec.initContainers ?? []],
    ["containers", spec.containers ?? []],
  ] as const) {
    for (const [i, c] of list.entries()) {
      const path = `spec.${group}[${i}]`;
      errs.push(...validateContainer(c, path, volumes));
      if (c.name && names.has(c.name)) errs.push(fieldErrors.duplicate(`${path}.name`, c.name));
      if (c.name) names.add(c.name);
    }
  }
  if (spec.restartPolicy && !["Always", "OnFailure", "Never"].includes(spec.restartPolicy)) {
    errs.push(
      fieldErrors.notSupported("spec.restartPolicy", spec.restartPolicy, ["Always", "OnFailure", "Never"]),
    );
  }
  const dnsPolicy = spec.dnsPolicy as string | undefined;
  if (dnsPolicy && !["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"].includes(dnsPolicy)) {
    errs.push(
      fieldErrors.notSupported("spec.dnsPolicy", dnsPolicy, [
        "ClusterFirst",
        "ClusterFirstWithHostNet",
        "Default",
        "None",
      ]),
    );
  }
  const grace = spec.terminationGracePeriodSeconds;
  if (grace !== undefined && (!Number.isInteger(grace) || grace < 0)) {
    errs.push(
      fieldErrors.invalid("spec.terminationGracePeriodSeconds", grace, "must be greater than or equal to 0"),
    );
  }
  const deadline = spec.activeDeadlineSeconds as number | undefined;
  if (deadline !== undefined && (!Number.isInteger(deadline) || deadline <= 0)) {
    errs.push(
      fieldErrors.invalid(
        "spec.activeDeadlineSeconds",
        deadline,
        "must be between 1 and 2147483647, inclusive",
      ),
    );
  }
  for (const [key, value] of Object.entries(spec.nodeSelector ?? {})) {
    for (const m of qualifiedName(key)) errs.push(fieldErrors.invalid("spec.nodeSelector", key, m));
    for (const m of labelValue(String(value))) errs.push(fieldErrors.invalid("spec.nodeSelector", value, m));
  }
  errs.push(...validateAffinity(spec), ...validateTolerations(spec));
  return errs;
}

/** Replaces what a pod update may change with the current values, to see whether anything else moved. */
function immutablePart(pod: Pod): unknown {
  const spec = structuredClone(pod.spec) as Pod["spec"];
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) delete c.image;
  delete spec.activeDeadlineSeconds;
  delete spec.tolerations;
  delete spec.terminationGracePeriodSeconds;
  return spec;
}

/** kube-apiserver only lets images, activeDeadlineSeconds, tolerations and the grace period change. */
export function validatePodUpdate(next: Pod, current: Pod): FieldError[] {
  const errs = validatePodSpec(next);
  if (!isDeepStrictEqual(immutablePart(next), immutablePart(current))) {
    errs.push(
      fieldErrors.forbidden(
        "spec",
        "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
      ),
    );
  }
  return errs;
}

const NOT_FOR_EPHEMERAL = ["ports", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle"];

/**
 * The `ephemeralcontainers` subresource: ephemeral containers may be added, never changed or removed; each
 * is a valid container named uniquely in the pod, without ports, probes, lifecycle hooks or resources, and
 * its target is one of the pod's containers.
 */
export function validateEphemeralContainersUpdate(next: Pod, current: Pod): FieldError[] {
  const errs: FieldError[] = [];
  const before = current.spec.ephemeralContainers ?? [];
  const after = next.spec.ephemeralContainers ?? [];
  for (const old of before) {
    const now = after.find((c) => c.name === old.name);
    if (!now || !isDeepStrictEqual(now, old))
      errs.push(
        fieldErrors.forbidden(
          "spec.ephemeralContainers",
          `existing ephemeral containers "${old.name}" may not be changed`,
        ),
      );
  }
  const regular = [...(current.spec.initContainers ?? []), ...current.spec.containers];
  const names = new Set(regular.map((c) => c.name));
  const volumes = new Set(
    ((current.spec.volumes as { name: string }[] | undefined) ?? []).map((v) => v.name),
  );
  after.forEach((c, i) => {
    const path = `spec.ephemeralContainers[${i}]`;
    if (names.has(c.name)) errs.push(fieldErrors.duplicate(`${path}.name`, c.name));
    names.add(c.name);
    if (before.some((b) => b.name === c.name)) return;
    errs.push(...validateContainer(c, path, volumes));
    for (const field of NOT_FOR_EPHEMERAL)
      if (c[field] !== undefined)
        errs.push(fieldErrors.forbidden(`${path}.${field}`, "cannot be set for an Ephemeral Container"));
    if (Object.keys(c.resources?.limits ?? {}).length || Object.keys(c.resources?.requests ?? {}).length)
      errs.push(fieldErrors.forbidden(`${path}.resources`, "cannot be set for an Ephemeral Container"));
    if (c.targetContainerName && !regular.some((r) => r.name === c.targetContainerName))
      errs.push(fieldErrors.notFound(`${path}.targetContainerName`, c.targetContainerName));
  });
  return errs;
}
