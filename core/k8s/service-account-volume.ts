import { generateName } from "./owners";
import type { Container, KubeObject, Pod } from "./types";

/** Where kubelet mounts a pod's ServiceAccount credentials. */
export const SERVICE_ACCOUNT_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
/** The ConfigMap every namespace holds with the in-cluster CA (root-ca-cert-publisher's). */
export const ROOT_CA_CONFIGMAP = "kube-root-ca.crt";
/** kube-apiserver's default for the projected token: an hour and 7 s, so that clients see it is bound. */
export const PROJECTED_TOKEN_SECONDS = 3607;
const VOLUME_PREFIX = "kube-api-access-";

/** The projected volume kube-apiserver's ServiceAccount admission adds: token, CA and namespace. */
function accessVolume(name: string) {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: PROJECTED_TOKEN_SECONDS, path: "token" } },
        { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: "ca.crt", path: "ca.crt" }] } },
        {
          downwardAPI: {
            items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }],
          },
        },
      ],
    },
  };
}

/**
 * A new pod as the ServiceAccount admission plugin leaves it: unless the pod or its account opts out
 * (`automountServiceAccountToken: false`), or a volume of that kind is already there, a
 * `kube-api-access-<5>` projected volume, mounted read-only at the credentials' path in every container
 * and init container that mounts nothing there yet. Mutates and returns the pod.
 */
export function withServiceAccountVolume(pod: Pod, account: KubeObject | undefined): Pod {
  const spec = pod.spec;
  const automount =
    (spec.automountServiceAccountToken as boolean | undefined) ??
    (account?.automountServiceAccountToken as boolean | undefined) ??
    true;
  const volumes = (spec.volumes as { name: string }[] | undefined) ?? [];
  if (!automount || volumes.some((v) => v.name.startsWith(VOLUME_PREFIX))) return pod;
  const name = generateName(VOLUME_PREFIX);
  spec.volumes = [...volumes, accessVolume(name)] as never;
  const mount = (c: Container) => {
    const mounts = (c.volumeMounts as { mountPath: string }[] | undefined) ?? [];
    if (mounts.some((m) => m.mountPath.replace(/\/+$/, "") === SERVICE_ACCOUNT_MOUNT_PATH)) return;
    c.volumeMounts = [...mounts, { name, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH }] as never;
  };
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) mount(c);
  return pod;
}
