import { kubeErrors } from "./errors";
import type { Container, Pod } from "./types";

/** Capabilities the Baseline Pod Security Standard allows a container to add. */
const BASELINE_CAPABILITIES = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);

interface SecurityContext {
  privileged?: boolean;
  capabilities?: { add?: string[] };
}

function containers(pod: Pod): Container[] {
  return [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
}

/**
 * The Baseline checks that keep a student's pod from reaching the shared Docker host. hostPath volumes pass:
 * the node agent maps them to per-cluster Docker volumes, never to the host's disk.
 */
function violations(pod: Pod): string[] {
  const found: string[] = [];
  const hostNs = (["hostNetwork", "hostPID", "hostIPC"] as const).filter((k) => pod.spec[k] === true);
  if (hostNs.length) found.push(`host namespaces (${hostNs.map((k) => `${k}=true`).join(", ")})`);
  const privileged = containers(pod).filter(
    (c) => (c.securityContext as SecurityContext | undefined)?.privileged,
  );
  if (privileged.length) {
    const names = privileged.map((c) => `"${c.name}"`).join(", ");
    found.push(
      `privileged (container${privileged.length > 1 ? "s" : ""} ${names} must not set securityContext.privileged=true)`,
    );
  }
  const caps = containers(pod).flatMap((c) =>
    ((c.securityContext as SecurityContext | undefined)?.capabilities?.add ?? [])
      .filter((cap) => !BASELINE_CAPABILITIES.has(cap.replace(/^CAP_/, "")))
      .map((cap) => `container "${c.name}" must not include "${cap}" in securityContext.capabilities.add`),
  );
  if (caps.length) found.push(`non-default capabilities (${caps.join("; ")})`);
  const hostPorts = containers(pod).flatMap((c) =>
    (c.ports ?? []).filter((p) => p.hostPort).map((p) => `container "${c.name}" uses hostPort ${p.hostPort}`),
  );
  if (hostPorts.length) found.push(`hostPort (${hostPorts.join(", ")})`);
  return found;
}

/** Refuses what the Baseline Pod Security Standard forbids, with PodSecurity admission's 403. */
export function enforcePodSecurity(pod: Pod): void {
  const found = violations(pod);
  if (found.length === 0) return;
  throw kubeErrors.forbidden(
    `pods "${pod.metadata.name}" is forbidden: violates PodSecurity "baseline:latest": ${found.join(", ")}`,
  );
}
