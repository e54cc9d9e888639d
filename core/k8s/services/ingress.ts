import type { KubeObject } from "../types";
import { type FieldError, fieldErrors } from "../validation/field-errors";
import { dns1123Label, dns1123Subdomain, portName } from "../validation/names";

export interface IngressServiceBackend {
  name: string;
  port: { number?: number; name?: string };
}

export interface IngressBackend {
  service?: IngressServiceBackend;
  resource?: unknown;
}

export interface IngressPath {
  path?: string;
  pathType?: "Exact" | "Prefix" | "ImplementationSpecific";
  backend: IngressBackend;
}

export interface IngressRule {
  host?: string;
  http?: { paths: IngressPath[] };
}

export interface Ingress extends KubeObject {
  spec: {
    ingressClassName?: string;
    defaultBackend?: IngressBackend;
    rules?: IngressRule[];
    tls?: { hosts?: string[]; secretName?: string }[];
  };
  status?: {
    loadBalancer?: {
      ingress?: { ip?: string; hostname?: string; ports?: { port: number; protocol: string }[] }[];
    };
  };
}

const PATH_TYPES = ["Exact", "Prefix", "ImplementationSpecific"];

function validateBackend(backend: IngressBackend | undefined, path: string, errs: FieldError[]): void {
  if (!backend?.service && !backend?.resource) {
    errs.push(
      fieldErrors.invalid(path, backend ?? null, "one backend (`service` or `resource`) must be specified"),
    );
    return;
  }
  const service = backend.service;
  if (!service) return;
  if (!service.name) errs.push(fieldErrors.required(`${path}.service.name`));
  else
    for (const m of dns1123Label(service.name))
      errs.push(fieldErrors.invalid(`${path}.service.name`, service.name, m));
  const port = service.port ?? {};
  if (port.name && port.number)
    errs.push(fieldErrors.invalid(`${path}.service.port`, port, "cannot set both port name & port number"));
  else if (!port.name && !port.number)
    errs.push(fieldErrors.invalid(`${path}.service.port`, port, "port name or number is required"));
  else if (port.name)
    for (const m of portName(port.name))
      errs.push(fieldErrors.invalid(`${path}.service.port.name`, port.name, m));
  else if (!Number.isInteger(port.number) || (port.number ?? 0) < 1 || (port.number ?? 0) > 65535)
    errs.push(
      fieldErrors.invalid(
        `${path}.service.port.number`,
        port.number,
        "must be between 1 and 65535, inclusive",
      ),
    );
}

/** ValidateIngress (networking.k8s.io/v1): rules, paths, path types and backends. */
export function validateIngressSpec(ing: Ingress): FieldError[] {
  const errs: FieldError[] = [];
  const spec = ing.spec ?? {};
  if (!spec.defaultBackend && !(spec.rules ?? []).length)
    errs.push(fieldErrors.invalid("spec", spec, "either `defaultBackend` or `rules` must be specified"));
  if (spec.defaultBackend) validateBackend(spec.defaultBackend, "spec.defaultBackend", errs);
  (spec.rules ?? []).forEach((rule, i) => {
    const base = `spec.rules[${i}]`;
    if (rule.host) {
      const bare = rule.host.startsWith("*.") ? rule.host.slice(2) : rule.host;
      if (/^\d+\.\d+\.\d+\.\d+$/.test(rule.host))
        errs.push(fieldErrors.invalid(`${base}.host`, rule.host, "must be a DNS name, not an IP address"));
      else
        for (const m of dns1123Subdomain(bare)) errs.push(fieldErrors.invalid(`${base}.host`, rule.host, m));
    }
    if (!rule.http) return;
    if (!rule.http.paths?.length) errs.push(fieldErrors.required(`${base}.http.paths`));
    (rule.http.paths ?? []).forEach((p, j) => {
      const path = `${base}.http.paths[${j}]`;
      if (!p.pathType) errs.push(fieldErrors.required(`${path}.pathType`, "pathType must be specified"));
      else if (!PATH_TYPES.includes(p.pathType))
        errs.push(fieldErrors.notSupported(`${path}.pathType`, p.pathType, PATH_TYPES));
      if ((p.pathType === "Exact" || p.pathType === "Prefix") && !(p.path ?? "").startsWith("/"))
        errs.push(fieldErrors.invalid(`${path}.path`, p.path, "must be an absolute path"));
      validateBackend(p.backend, `${path}.backend`, errs);
    });
  });
  return errs;
}
