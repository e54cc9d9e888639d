/** The label and annotations by which Helm knows the objects of a release. */
export const MANAGED_BY = "app.kubernetes.io/managed-by";
export const RELEASE_NAME = "meta.helm.sh/release-name";
export const RELEASE_NAMESPACE = "meta.helm.sh/release-namespace";

interface Meta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface Release {
  name: string;
  namespace: string;
}

/** The object marked as Helm marks what a release owns, in `namespace` when its kind is namespaced. Pure. */
export function markedForRelease<T extends { metadata: Meta }>(
  obj: T,
  release: Release,
  namespace: string | undefined,
): T {
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      ...(namespace !== undefined ? { namespace } : {}),
      labels: { ...obj.metadata.labels, [MANAGED_BY]: "Helm" },
      annotations: {
        ...obj.metadata.annotations,
        [RELEASE_NAME]: release.name,
        [RELEASE_NAMESPACE]: release.namespace,
      },
    },
  };
}

function requireValue(kind: string, meta: Record<string, string> | undefined, key: string, want: string) {
  const actual = meta?.[key];
  if (actual === undefined) return `${kind} validation error: missing key "${key}": must be set to "${want}"`;
  if (actual !== want)
    return `${kind} validation error: key "${key}" must equal "${want}": current value is "${actual}"`;
  return undefined;
}

/**
 * Why Helm would refuse to take `current` over into the release, in Helm's words (`Unable to continue with
 * install: …`); undefined when it carries the release's marks. Pure.
 */
export function ownershipProblem(
  current: { kind: string; metadata: Meta },
  release: Release,
  action: string,
): string | undefined {
  const problems = [
    requireValue("label", current.metadata.labels, MANAGED_BY, "Helm"),
    requireValue("annotation", current.metadata.annotations, RELEASE_NAME, release.name),
    requireValue("annotation", current.metadata.annotations, RELEASE_NAMESPACE, release.namespace),
  ].filter((p) => p !== undefined);
  if (problems.length === 0) return undefined;
  const where = current.metadata.namespace ? ` in namespace "${current.metadata.namespace}"` : "";
  return `Unable to continue with ${action}: ${current.kind} "${current.metadata.name}"${where} exists and cannot be imported into the current release: invalid ownership metadata; ${problems.join("; ")}`;
}
