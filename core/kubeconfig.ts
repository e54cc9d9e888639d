import { stringify } from "yaml";

/** A kubeconfig that `kubectl --kubeconfig` uses unchanged: one cluster, one user, one context. */
export function renderKubeconfig(options: {
  name: string;
  server: string;
  token: string;
  namespace?: string;
}): string {
  const { name, server, token } = options;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server } }],
    users: [{ name, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: options.namespace ?? "default" } }],
    "current-context": name,
    preferences: {},
  });
}
