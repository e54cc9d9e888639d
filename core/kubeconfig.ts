import { stringify } from "yaml";

/** A kubeconfig that `kubectl --kubeconfig` uses unchanged: one cluster, one user, one context. */
export function renderKubeconfig(options: {
  name: string;
  server: string;
  token: string;
  /** PEM of the certificate authority of the server's TLS certificate. */
  certificateAuthority: string;
  namespace?: string;
}): string {
  const { name, server, token } = options;
  const ca = Buffer.from(options.certificateAuthority).toString("base64");
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server, "certificate-authority-data": ca } }],
    users: [{ name, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: options.namespace ?? "default" } }],
    "current-context": name,
    preferences: {},
  });
}
