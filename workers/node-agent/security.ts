import type Docker from "dockerode";
import type { Container, Pod } from "../../core/k8s/types";
import type { ContainerSecurity } from "./runtime";

/** The fields of a pod's and a container's securityContext that both may set; the container's win. */
interface SharedContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
}

/** `pod.spec.securityContext`: the shared fields, and what only a pod sets. */
export interface PodSecurityContext extends SharedContext {
  supplementalGroups?: number[];
  fsGroup?: number;
}

/** `container.securityContext`: the shared fields, and what only a container sets. */
export interface SecurityContext extends SharedContext {
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
}

export function podSecurityContext(pod: Pod): PodSecurityContext {
  return (pod.spec.securityContext as PodSecurityContext | undefined) ?? {};
}

/** The group that owns the pod's writable volumes and joins every container's groups. */
export function fsGroupOf(pod: Pod): number | undefined {
  return podSecurityContext(pod).fsGroup;
}

/** The kubelet's `format.Pod`: how its messages name a pod. */
function podName(pod: Pod): string {
  return `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
}

/**
 * The image's user as the kubelet reads it from the runtime: a numeric uid, or a name it cannot check; an
 * image that names none runs as root.
 */
function imageIdentity(imageUser: string): { uid: number } | { name: string } {
  const user = imageUser.split(":")[0] ?? "";
  if (user === "") return { uid: 0 };
  return /^\d+$/.test(user) ? { uid: Number(user) } : { name: user };
}

/** The kubelet's verifyRunAsNonRoot, with its messages; undefined when the container may start. */
function nonRootViolation(
  pod: Pod,
  container: Container,
  effective: SharedContext,
  imageUser: string,
): string | undefined {
  if (!effective.runAsNonRoot) return undefined;
  const where = `(pod: ${JSON.stringify(podName(pod))}, container: ${container.name})`;
  if (effective.runAsUser !== undefined)
    return effective.runAsUser === 0 ? `container's runAsUser breaks non-root policy ${where}` : undefined;
  const image = imageIdentity(imageUser);
  if ("name" in image)
    return `container has runAsNonRoot and image has non-numeric user (${image.name}), cannot verify user is non-root ${where}`;
  return image.uid === 0 ? `container has runAsNonRoot and image will run as root ${where}` : undefined;
}

/**
 * How a container runs as its pod and itself ask (the container's securityContext overrides the pod's for
 * the fields both have): user and group, supplementary groups (fsGroup first, as the kubelet orders them),
 * a read-only root filesystem, no-new-privileges unless privilege escalation is explicitly allowed (the
 * kubelet's default is to allow it; the platform's is not), and capabilities. Docker's default seccomp
 * profile stays in force.
 * `imageUser` is the image config's User. A container that runAsNonRoot refuses gets the kubelet's
 * message instead, which becomes its CreateContainerConfigError.
 */
export function containerSecurity(
  pod: Pod,
  container: Container,
  imageUser: string,
): { security: ContainerSecurity } | { error: string } {
  const podContext = podSecurityContext(pod);
  const own = (container.securityContext as SecurityContext | undefined) ?? {};
  const effective: SharedContext = {
    runAsUser: own.runAsUser ?? podContext.runAsUser,
    runAsGroup: own.runAsGroup ?? podContext.runAsGroup,
    runAsNonRoot: own.runAsNonRoot ?? podContext.runAsNonRoot,
  };
  const error = nonRootViolation(pod, container, effective, imageUser);
  if (error) return { error };
  // a group alone keeps the image's user, as containerd does with runAsGroup and no runAsUser
  const user =
    effective.runAsUser !== undefined
      ? String(effective.runAsUser)
      : effective.runAsGroup !== undefined
        ? imageUser.split(":")[0] || "0"
        : undefined;
  const groups = [
    ...(podContext.fsGroup !== undefined ? [podContext.fsGroup] : []),
    ...(podContext.supplementalGroups ?? []),
  ];
  return {
    security: {
      ...(user !== undefined
        ? { user: effective.runAsGroup !== undefined ? `${user}:${effective.runAsGroup}` : user }
        : {}),
      groups: [...new Set(groups)],
      readOnlyRootfs: own.readOnlyRootFilesystem === true,
      // least privilege by default: a setuid binary or file capability gains nothing unless the container asks
      noNewPrivileges: own.allowPrivilegeEscalation !== true,
      capAdd: own.capabilities?.add ?? [],
      capDrop: own.capabilities?.drop ?? [],
    },
  };
}

/** A container's security as Docker's create options: its User and the HostConfig fields that carry the rest. */
export function dockerSecurity(security: ContainerSecurity | undefined): {
  User?: string;
  HostConfig: Pick<Docker.HostConfig, "GroupAdd" | "ReadonlyRootfs" | "SecurityOpt" | "CapAdd" | "CapDrop">;
} {
  if (!security) return { HostConfig: {} };
  return {
    ...(security.user !== undefined ? { User: security.user } : {}),
    HostConfig: {
      ...(security.groups.length ? { GroupAdd: security.groups.map(String) } : {}),
      ...(security.readOnlyRootfs ? { ReadonlyRootfs: true } : {}),
      ...(security.noNewPrivileges ? { SecurityOpt: ["no-new-privileges"] } : {}),
      ...(security.capAdd.length ? { CapAdd: security.capAdd } : {}),
      ...(security.capDrop.length ? { CapDrop: security.capDrop } : {}),
    },
  };
}
