import { fromStructured, matchesLabels, type StructuredLabelSelector } from "../k8s/selectors";
import { inCidr } from "./cidr";
import type { Allow, Peer, PodRules, PolicyTable, PortRange, Protocol } from "./policy-verdict";

export interface NetworkPolicyPort {
  protocol?: Protocol;
  port?: number | string;
  endPort?: number;
}

export interface NetworkPolicyPeer {
  podSelector?: StructuredLabelSelector;
  namespaceSelector?: StructuredLabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicy {
  metadata: { name?: string; namespace?: string };
  spec: {
    podSelector?: StructuredLabelSelector;
    policyTypes?: ("Ingress" | "Egress")[];
    ingress?: { from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
    egress?: { to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
  };
}

/** A pod as policies see it: its namespace, labels, address and named container ports. */
export interface PolicyPod {
  namespace: string;
  ip: string;
  labels?: Record<string, string>;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
}

export interface PolicyNamespace {
  name: string;
  labels?: Record<string, string>;
}

const ANYWHERE: Peer = { cidr: "0.0.0.0/0" };
const MAX_PORT = 65535;

const selects = (selector: StructuredLabelSelector | undefined, labels: Record<string, string> | undefined) =>
  matchesLabels(fromStructured(selector ?? {}), labels);

/** The types a policy applies, as kube-apiserver defaults them: Ingress always, Egress when it has rules. */
export function policyTypes(policy: NetworkPolicy): ("Ingress" | "Egress")[] {
  if (policy.spec.policyTypes?.length) return policy.spec.policyTypes;
  return policy.spec.egress?.length ? ["Ingress", "Egress"] : ["Ingress"];
}

interface World {
  pods: PolicyPod[];
  namespaceLabels: Map<string, Record<string, string>>;
}

function namespaceLabels(world: World, name: string): Record<string, string> {
  return world.namespaceLabels.get(name) ?? { "kubernetes.io/metadata.name": name };
}

/** The pods a peer names (none for an ipBlock). */
function peerPods(peer: NetworkPolicyPeer, namespace: string, world: World): PolicyPod[] {
  if (peer.ipBlock) return [];
  return world.pods.filter(
    (pod) =>
      (peer.namespaceSelector
        ? selects(peer.namespaceSelector, namespaceLabels(world, pod.namespace))
        : pod.namespace === namespace) && selects(peer.podSelector, pod.labels),
  );
}

/** A rule's peers as addresses: everything when it lists none. */
function peersOf(list: NetworkPolicyPeer[] | undefined, namespace: string, world: World): Peer[] {
  if (!list?.length) return [ANYWHERE];
  return list.flatMap((peer) =>
    peer.ipBlock
      ? [{ cidr: peer.ipBlock.cidr, ...(peer.ipBlock.except?.length ? { except: peer.ipBlock.except } : {}) }]
      : peerPods(peer, namespace, world).map((pod) => ({ cidr: `${pod.ip}/32` })),
  );
}

/** A numbered (or absent: every) port as a range. */
function numbered(port: NetworkPolicyPort): PortRange {
  const protocol = port.protocol ?? "TCP";
  if (port.port === undefined) return { protocol, from: 1, to: MAX_PORT };
  const from = Number(port.port);
  return { protocol, from, to: port.endPort ?? from };
}

/** A named port on one pod: the number of its container port of that name and protocol, if any. */
function resolveNamed(port: NetworkPolicyPort, pod: PolicyPod): PortRange | undefined {
  const protocol = port.protocol ?? "TCP";
  const found = pod.ports?.find((p) => p.name === port.port && (p.protocol ?? "TCP") === protocol);
  return found ? { protocol, from: found.containerPort, to: found.containerPort } : undefined;
}

const isNamed = (p: NetworkPolicyPort) => typeof p.port === "string" && !/^\d+$/.test(p.port);

/** An ingress rule of a policy selecting `target`: named ports are the target's own. */
function ingressAllow(
  rule: NonNullable<NetworkPolicy["spec"]["ingress"]>[number],
  namespace: string,
  target: PolicyPod,
  world: World,
): Allow[] {
  const peers = peersOf(rule.from, namespace, world);
  if (!rule.ports?.length) return [{ peers }];
  const ports = rule.ports.flatMap((p) => {
    if (!isNamed(p)) return [numbered(p)];
    const range = resolveNamed(p, target);
    return range ? [range] : [];
  });
  return ports.length ? [{ peers, ports }] : [];
}

/** An egress rule: named ports are each destination pod's, so they become one allowance per such pod. */
function egressAllow(
  rule: NonNullable<NetworkPolicy["spec"]["egress"]>[number],
  namespace: string,
  world: World,
): Allow[] {
  const peers = peersOf(rule.to, namespace, world);
  if (!rule.ports?.length) return [{ peers }];
  const out: Allow[] = [];
  const plain = rule.ports.filter((p) => !isNamed(p)).map(numbered);
  if (plain.length) out.push({ peers, ports: plain });
  const named = rule.ports.filter(isNamed);
  if (!named.length) return out;
  const destinations = world.pods.filter((pod) =>
    peers.some((peer) => inCidr(peer.cidr, pod.ip) && !(peer.except ?? []).some((e) => inCidr(e, pod.ip))),
  );
  for (const pod of destinations) {
    const ports = named.flatMap((p) => resolveNamed(p, pod) ?? []);
    if (ports.length) out.push({ peers: [{ cidr: `${pod.ip}/32` }], ports });
  }
  return out;
}

/**
 * NetworkPolicy's semantics for one cluster, resolved to addresses: each pod that some policy selects,
 * isolated in the directions of those policies' types and allowed the union of their rules (policies add
 * up, none takes anything away). Pods no policy selects are left out: they are not isolated. Pure.
 */
export function policyTable(
  policies: NetworkPolicy[],
  pods: PolicyPod[],
  namespaces: PolicyNamespace[],
): PolicyTable {
  const world: World = {
    pods,
    namespaceLabels: new Map(namespaces.map((n) => [n.name, n.labels ?? {}])),
  };
  const table: PolicyTable = {};
  const rulesOf = (pod: PolicyPod): PodRules => {
    const existing = table[pod.ip];
    if (existing) return existing;
    const created: PodRules = { ip: pod.ip };
    table[pod.ip] = created;
    return created;
  };
  for (const policy of policies) {
    const namespace = policy.metadata.namespace ?? "default";
    const types = policyTypes(policy);
    const selected = pods.filter(
      (pod) => pod.namespace === namespace && selects(policy.spec.podSelector, pod.labels),
    );
    const egress = types.includes("Egress")
      ? (policy.spec.egress ?? []).flatMap((rule) => egressAllow(rule, namespace, world))
      : [];
    for (const pod of selected) {
      const rules = rulesOf(pod);
      if (types.includes("Ingress"))
        rules.ingress = [
          ...(rules.ingress ?? []),
          ...(policy.spec.ingress ?? []).flatMap((rule) => ingressAllow(rule, namespace, pod, world)),
        ];
      if (types.includes("Egress")) rules.egress = [...(rules.egress ?? []), ...egress];
    }
  }
  return table;
}
