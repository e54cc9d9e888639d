import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { inClusterCa, issueServingCertificate, type ServingCertificate } from "../../core/in-cluster-ca";
import { KUBE_APISERVER_PORT } from "../../core/k8s/services/well-known";
import type { ClusterNetwork } from "../../core/network/cluster-network";
import type { KubeApi } from "../netd/config";

/** A serving certificate is replaced once it has less than this left. */
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

export interface InClusterApiSettings {
  tokenSecret: string;
  /** The kubeconfig's server URL base (TIMONIER_KUBE_URL): what the gateway's relay reaches. */
  kubeUrl: string;
  /** The API's serving certificate, which the relay checks the platform API against. */
  apiCertPath: string;
}

/** Where a `https://host:port/path` URL leads: its host, port and path (without a trailing slash). Pure. */
export function relayTarget(kubeUrl: string): { host: string; port: number; path: string } {
  const url = new URL(kubeUrl);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: Number(url.port || (url.protocol === "https:" ? 443 : 80)),
    path: url.pathname.replace(/\/+$/, ""),
  };
}

/** The API relay settings of this node: the gateway's target, and each cluster's netd part. */
export class InClusterApi {
  private readonly certificates = new Map<string, ServingCertificate & { ips: string }>();
  private apiCa: string | undefined;

  constructor(private readonly settings: InClusterApiSettings) {}

  static fromConfig(config: { tokenSecret: string; kubeUrl: string; dataDir: string }): InClusterApi {
    return new InClusterApi({
      tokenSecret: config.tokenSecret,
      kubeUrl: config.kubeUrl,
      apiCertPath: join(config.dataDir, "tls", "cert.pem"),
    });
  }

  /** What the node's gateway relays to: the platform API's address. */
  gatewayTarget(): { host: string; port: number } {
    const { host, port } = relayTarget(this.settings.kubeUrl);
    return { host, port };
  }

  /** A cluster netd's share, or undefined while the API's certificate cannot be read. */
  async forCluster(
    clusterId: string,
    network: ClusterNetwork,
    now = new Date(),
  ): Promise<KubeApi | undefined> {
    const ca = await this.upstreamCa();
    if (!ca) return undefined;
    const serving = await this.serving(clusterId, [network.kubernetesIp, network.dnsIp], now);
    const { host, path } = relayTarget(this.settings.kubeUrl);
    return {
      listen: [
        { ip: network.kubernetesIp, port: 443 },
        { ip: network.dnsIp, port: KUBE_APISERVER_PORT },
      ],
      cert: serving.cert,
      key: serving.key,
      prefix: `${path}/clusters/${clusterId}`,
      upstream: { ca, host },
    };
  }

  private async upstreamCa(): Promise<string | undefined> {
    if (!this.apiCa) this.apiCa = await readFile(this.settings.apiCertPath, "utf8").catch(() => undefined);
    return this.apiCa;
  }

  private async serving(clusterId: string, ips: string[], now: Date): Promise<ServingCertificate> {
    const held = this.certificates.get(clusterId);
    if (held && held.ips === ips.join() && held.notAfter.getTime() - now.getTime() > RENEW_BEFORE_MS)
      return held;
    const fresh = await issueServingCertificate(await inClusterCa(this.settings.tokenSecret), ips, now);
    this.certificates.set(clusterId, { ...fresh, ips: ips.join() });
    return fresh;
  }
}
