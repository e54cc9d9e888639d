import type { Service } from "./types";

const envName = (name: string) => name.toUpperCase().replace(/-/g, "_");

/**
 * The variables the kubelet gives a container for each Service it may see (`{SVC}_SERVICE_HOST`,
 * `{SVC}_SERVICE_PORT[_{PORT}]` and the Docker-link style `{SVC}_PORT_*`): the pod's namespace's Services
 * when enableServiceLinks is on, and always `default/kubernetes`. Headless and ExternalName ones have none.
 */
export function serviceEnvironment(
  services: Service[],
  namespace: string,
  enableServiceLinks: boolean,
): Record<string, string> {
  const env: Record<string, string> = {};
  const visible = services.filter(
    (s) =>
      (enableServiceLinks && s.metadata.namespace === namespace) ||
      (s.metadata.namespace === "default" && s.metadata.name === "kubernetes"),
  );
  for (const service of visible) {
    const ip = service.spec.clusterIP;
    const ports = service.spec.ports ?? [];
    if (!ip || ip === "None" || service.spec.type === "ExternalName" || ports.length === 0) continue;
    const name = envName(service.metadata.name ?? "");
    const [first] = ports;
    env[`${name}_SERVICE_HOST`] = ip;
    env[`${name}_SERVICE_PORT`] = String(first?.port);
    for (const port of ports)
      if (port.name) env[`${name}_SERVICE_PORT_${envName(port.name)}`] = String(port.port);
    env[`${name}_PORT`] = `${(first?.protocol ?? "TCP").toLowerCase()}://${ip}:${first?.port}`;
    for (const port of ports) {
      const protocol = port.protocol ?? "TCP";
      const prefix = `${name}_PORT_${port.port}_${protocol}`;
      env[prefix] = `${protocol.toLowerCase()}://${ip}:${port.port}`;
      env[`${prefix}_PROTO`] = protocol.toLowerCase();
      env[`${prefix}_PORT`] = String(port.port);
      env[`${prefix}_ADDR`] = ip;
    }
  }
  return env;
}
