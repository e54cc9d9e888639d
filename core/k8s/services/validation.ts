import { type FieldError, fieldErrors } from "../validation/field-errors";
import { dns1123Label, dns1123Subdomain, labelValue, portName, qualifiedName } from "../validation/names";
import { type Service, type ServicePort, usesNodePorts } from "./types";

const TYPES = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"];
const PROTOCOLS = ["TCP", "UDP", "SCTP"];
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function validPort(n: unknown): boolean {
  return typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= 65535;
}

function validatePort(port: ServicePort, i: number, svc: Service, errs: FieldError[]): void {
  const path = `spec.ports[${i}]`;
  const multiple = (svc.spec.ports?.length ?? 0) > 1;
  if (port.name === undefined || port.name === "") {
    if (multiple) errs.push(fieldErrors.required(`${path}.name`));
  } else {
    for (const m of dns1123Label(port.name)) errs.push(fieldErrors.invalid(`${path}.name`, port.name, m));
  }
  if (!validPort(port.port))
    errs.push(fieldErrors.invalid(`${path}.port`, port.port, "must be between 1 and 65535, inclusive"));
  if (!PROTOCOLS.includes(port.protocol ?? ""))
    errs.push(fieldErrors.notSupported(`${path}.protocol`, port.protocol, PROTOCOLS));
  const target = port.targetPort;
  if (typeof target === "number") {
    if (!validPort(target))
      errs.push(fieldErrors.invalid(`${path}.targetPort`, target, "must be between 1 and 65535, inclusive"));
  } else if (typeof target === "string") {
    for (const m of portName(target)) errs.push(fieldErrors.invalid(`${path}.targetPort`, target, m));
  }
  if (port.nodePort !== undefined && port.nodePort !== 0) {
    if (svc.spec.type === "ClusterIP" || svc.spec.type === "ExternalName")
      errs.push(
        fieldErrors.forbidden(`${path}.nodePort`, `may not be used when \`type\` is '${svc.spec.type}'`),
      );
    else if (!validPort(port.nodePort))
      errs.push(
        fieldErrors.invalid(`${path}.nodePort`, port.nodePort, "must be between 1 and 65535, inclusive"),
      );
  }
}

/** ValidateService: the spec as defaulted, before any address is allocated. */
export function validateServiceSpec(svc: Service): FieldError[] {
  const errs: FieldError[] = [];
  const spec = svc.spec;
  if (!TYPES.includes(spec.type ?? "")) errs.push(fieldErrors.notSupported("spec.type", spec.type, TYPES));
  const headless = spec.clusterIP === "None";
  const ports = spec.ports ?? [];
  if (spec.type === "ExternalName") {
    if (!spec.externalName) errs.push(fieldErrors.required("spec.externalName"));
    else
      for (const m of dns1123Subdomain(spec.externalName.replace(/\.$/, "")))
        errs.push(fieldErrors.invalid("spec.externalName", spec.externalName, m));
  } else if (ports.length === 0 && !headless) {
    errs.push(fieldErrors.required("spec.ports"));
  }
  if (headless && (spec.type === "NodePort" || spec.type === "LoadBalancer"))
    errs.push(
      fieldErrors.invalid("spec.clusterIPs[0]", "None", `may not be set to 'None' for ${spec.type} services`),
    );
  if (spec.clusterIP && !headless && !IPV4.test(spec.clusterIP))
    errs.push(
      fieldErrors.invalid(
        "spec.clusterIPs[0]",
        spec.clusterIP,
        "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
      ),
    );
  const seenNames = new Set<string>();
  const seenPorts = new Set<string>();
  ports.forEach((port, i) => {
    validatePort(port, i, svc, errs);
    if (port.name) {
      if (seenNames.has(port.name)) errs.push(fieldErrors.duplicate(`spec.ports[${i}].name`, port.name));
      seenNames.add(port.name);
    }
    const key = `${port.port}/${port.protocol}`;
    if (seenPorts.has(key))
      errs.push(fieldErrors.duplicate(`spec.ports[${i}]`, { port: port.port, protocol: port.protocol }));
    seenPorts.add(key);
  });
  if (usesNodePorts(spec)) {
    const seenNodePorts = new Set<string>();
    ports.forEach((port, i) => {
      if (!port.nodePort) return;
      const key = `${port.nodePort}/${port.protocol}`;
      if (seenNodePorts.has(key))
        errs.push(fieldErrors.duplicate(`spec.ports[${i}].nodePort`, port.nodePort));
      seenNodePorts.add(key);
    });
  }
  for (const [key, value] of Object.entries(spec.selector ?? {})) {
    for (const m of qualifiedName(key)) errs.push(fieldErrors.invalid("spec.selector", key, m));
    for (const m of labelValue(String(value))) errs.push(fieldErrors.invalid("spec.selector", value, m));
  }
  if (!["None", "ClientIP"].includes(spec.sessionAffinity ?? ""))
    errs.push(fieldErrors.notSupported("spec.sessionAffinity", spec.sessionAffinity, ["ClientIP", "None"]));
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout <= 0 || timeout > 86400))
    errs.push(
      fieldErrors.invalid(
        "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
        timeout,
        "must be greater than 0 and less than 86400",
      ),
    );
  return errs;
}

/** What an update may not change: a ClusterIP once set (unless the type moves to or from ExternalName). */
export function validateServiceUpdate(next: Service, current: Service): FieldError[] {
  const errs = validateServiceSpec(next);
  const was = current.spec.clusterIP;
  const now = next.spec.clusterIP;
  if (
    was &&
    now !== undefined &&
    was !== now &&
    next.spec.type !== "ExternalName" &&
    current.spec.type !== "ExternalName"
  )
    errs.push(fieldErrors.invalid("spec.clusterIPs[0]", [now], "may not change once set"));
  return errs;
}
