/** Where a node's gateway serves Ingress: one port for every cluster, each under its own domain. */
export interface IngressSettings {
  port: number;
  /** HTTPS, for Ingresses with `tls`: certificates from their Secrets, chosen by SNI. */
  tlsPort: number;
  domain: string;
}

/**
 * The domain a cluster's Ingress hosts live under: `app.local` in cluster `alice` is served as
 * `app.local.alice-1a2b3c4d.<domain>`, so that two students may both declare `app.local`. The id keeps
 * two tenants' clusters of one name apart.
 */
export function clusterIngressDomain(cluster: { id: string; name: string }, domain: string): string {
  const label = cluster.name
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return `${label ? `${label}-` : ""}${cluster.id.slice(0, 8)}.${domain}`;
}
