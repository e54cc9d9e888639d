import { describe, expect, it } from "vitest";
import {
  type NetworkPolicy,
  type PolicyNamespace,
  type PolicyPod,
  policyTable,
  policyTypes,
} from "./network-policy";
import { connectionAllowed, type Protocol } from "./policy-verdict";

const namespaces: PolicyNamespace[] = ["default", "prod", "dev", "kube-system"].map((name) => ({
  name,
  labels: { "kubernetes.io/metadata.name": name, ...(name === "prod" ? { env: "prod" } : {}) },
}));

const pods = {
  web: {
    namespace: "default",
    ip: "10.0.0.2",
    labels: { app: "web" },
    ports: [{ name: "http", containerPort: 8080 }],
  },
  db: {
    namespace: "default",
    ip: "10.0.0.3",
    labels: { app: "db" },
    ports: [{ name: "pg", containerPort: 5432 }],
  },
  client: { namespace: "default", ip: "10.0.0.4", labels: { access: "true" } },
  other: { namespace: "default", ip: "10.0.0.5", labels: {} },
  prodApp: { namespace: "prod", ip: "10.0.0.6", labels: { app: "web" } },
  devApp: { namespace: "dev", ip: "10.0.0.7", labels: { app: "web" } },
  dns: {
    namespace: "kube-system",
    ip: "10.0.1.10",
    labels: { "k8s-app": "kube-dns" },
    ports: [
      { name: "dns", containerPort: 53, protocol: "UDP" },
      { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
    ],
  },
} satisfies Record<string, PolicyPod>;
const all: PolicyPod[] = Object.values(pods);
const OUTSIDE = "192.168.5.5";

function policy(spec: NetworkPolicy["spec"], namespace = "default"): NetworkPolicy {
  return { metadata: { name: "p", namespace }, spec };
}

/** The verdict for `from` → `to`:`port` under `policies`, with the pods above. */
function allows(
  policies: NetworkPolicy[],
  from: PolicyPod | string,
  to: PolicyPod | string,
  port = 80,
  protocol: Protocol = "TCP",
): boolean {
  const ip = (p: PolicyPod | string) => (typeof p === "string" ? p : p.ip);
  return connectionAllowed(policyTable(policies, all, namespaces), ip(from), ip(to), port, protocol);
}

describe("policyTypes", () => {
  it("defaults as kube-apiserver does: Ingress always, Egress when there are egress rules", () => {
    expect(policyTypes(policy({}))).toEqual(["Ingress"]);
    expect(policyTypes(policy({ egress: [{}] }))).toEqual(["Ingress", "Egress"]);
    expect(policyTypes(policy({ egress: [] }))).toEqual(["Ingress"]);
    expect(policyTypes(policy({ policyTypes: ["Egress"] }))).toEqual(["Egress"]);
  });
});

describe("NetworkPolicy semantics", () => {
  it("leaves every pod open without policies", () => {
    expect(allows([], pods.other, pods.web)).toBe(true);
    expect(allows([], pods.web, OUTSIDE, 443)).toBe(true);
  });

  it("default-deny ingress isolates the selected pods only, and only for ingress", () => {
    const deny = policy({ podSelector: {}, policyTypes: ["Ingress"] });
    expect(allows([deny], pods.client, pods.web)).toBe(false);
    expect(allows([deny], OUTSIDE, pods.web)).toBe(false);
    expect(allows([deny], pods.web, pods.prodApp)).toBe(true);
    expect(allows([deny], pods.web, OUTSIDE)).toBe(true);
    // a policy of another namespace does not select pods here
    expect(allows([policy({ podSelector: {} }, "prod")], pods.client, pods.web)).toBe(true);
  });

  it("a policy with no type given and no egress section denies ingress, not egress", () => {
    const p = policy({ podSelector: { matchLabels: { app: "web" } } });
    expect(allows([p], pods.client, pods.web)).toBe(false);
    expect(allows([p], pods.web, pods.db)).toBe(true);
  });

  it("allow-all ingress and egress: one empty rule", () => {
    const deny = policy({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const open = policy({ podSelector: {}, ingress: [{}], egress: [{}], policyTypes: ["Ingress", "Egress"] });
    expect(allows([deny], pods.client, pods.web)).toBe(false);
    expect(allows([deny, open], pods.client, pods.web)).toBe(true);
    expect(allows([deny, open], pods.web, OUTSIDE, 9999, "UDP")).toBe(true);
  });

  it("the tutorial: only pods labelled access=true reach nginx", () => {
    const p = policy({
      podSelector: { matchLabels: { app: "web" } },
      ingress: [{ from: [{ podSelector: { matchLabels: { access: "true" } } }] }],
    });
    expect(allows([p], pods.client, pods.web)).toBe(true);
    expect(allows([p], pods.other, pods.web)).toBe(false);
    // podSelector alone means the policy's own namespace
    expect(allows([p], { ...pods.prodApp, labels: { access: "true" } }, pods.web)).toBe(false);
  });

  it("namespaceSelector alone admits every pod of the matching namespaces", () => {
    const p = policy({
      podSelector: { matchLabels: { app: "web" } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: "prod" } } }] }],
    });
    expect(allows([p], pods.prodApp, pods.web)).toBe(true);
    expect(allows([p], pods.devApp, pods.web)).toBe(false);
    expect(allows([p], pods.client, pods.web)).toBe(false);
  });

  it("namespaceSelector and podSelector in one peer both have to hold; in two peers either does", () => {
    const and = policy({
      podSelector: { matchLabels: { app: "db" } },
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchExpressions: [{ key: "env", operator: "In", values: ["prod"] }] },
              podSelector: { matchLabels: { app: "web" } },
            },
          ],
        },
      ],
    });
    const prodClient: PolicyPod = { namespace: "prod", ip: "10.0.0.9", labels: { app: "client" } };
    const everyone = [...all, prodClient];
    const table = (p: NetworkPolicy) => policyTable([p], everyone, namespaces);
    expect(connectionAllowed(table(and), pods.prodApp.ip, pods.db.ip, 80, "TCP")).toBe(true);
    expect(connectionAllowed(table(and), prodClient.ip, pods.db.ip, 80, "TCP")).toBe(false);
    expect(connectionAllowed(table(and), pods.web.ip, pods.db.ip, 80, "TCP")).toBe(false);
    const or = policy({
      podSelector: { matchLabels: { app: "db" } },
      ingress: [
        {
          from: [
            { namespaceSelector: { matchLabels: { env: "prod" } } },
            { podSelector: { matchLabels: { app: "web" } } },
          ],
        },
      ],
    });
    expect(connectionAllowed(table(or), prodClient.ip, pods.db.ip, 80, "TCP")).toBe(true);
    expect(connectionAllowed(table(or), pods.web.ip, pods.db.ip, 80, "TCP")).toBe(true);
    expect(connectionAllowed(table(or), pods.devApp.ip, pods.db.ip, 80, "TCP")).toBe(false);
  });

  it("an empty namespaceSelector means every namespace", () => {
    const p = policy({
      podSelector: { matchLabels: { app: "db" } },
      ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: "web" } } }] }],
    });
    expect(allows([p], pods.devApp, pods.db)).toBe(true);
    expect(allows([p], pods.client, pods.db)).toBe(false);
  });

  it("ipBlock admits its block minus the excepted blocks", () => {
    const p = policy({
      podSelector: { matchLabels: { app: "web" } },
      ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/24", except: ["10.0.0.4/31"] } }] }],
    });
    expect(allows([p], pods.db, pods.web)).toBe(true);
    expect(allows([p], pods.client, pods.web)).toBe(false);
    expect(allows([p], pods.other, pods.web)).toBe(false);
    expect(allows([p], pods.prodApp, pods.web)).toBe(true);
    expect(allows([p], OUTSIDE, pods.web)).toBe(false);
  });

  it("ports: numbers, protocols (TCP by default), ranges with endPort, and named ports of the target", () => {
    const p = policy({
      podSelector: { matchLabels: { app: "web" } },
      ingress: [
        {
          ports: [
            { port: 80 },
            { protocol: "UDP", port: 5000, endPort: 5010 },
            { port: "http" },
            { port: "nope" },
            { protocol: "UDP" },
          ],
        },
      ],
    });
    expect(allows([p], pods.client, pods.web, 80)).toBe(true);
    expect(allows([p], pods.client, pods.web, 81)).toBe(false);
    expect(allows([p], pods.client, pods.web, 5005, "TCP")).toBe(false);
    expect(allows([p], pods.client, pods.web, 5005, "UDP")).toBe(true);
    expect(allows([p], pods.client, pods.web, 8080)).toBe(true);
    expect(allows([p], pods.client, pods.web, 60000, "UDP")).toBe(true);
    const namedOnly = policy({
      podSelector: { matchLabels: { app: "db" } },
      ingress: [{ ports: [{ port: "http" }] }],
    });
    // db has no port named http: the rule admits nothing
    expect(allows([namedOnly], pods.client, pods.db, 8080)).toBe(false);
    expect(allows([namedOnly], pods.client, pods.db, 5432)).toBe(false);
  });

  it("egress named ports are the destination pod's", () => {
    const p = policy({
      podSelector: { matchLabels: { access: "true" } },
      policyTypes: ["Egress"],
      egress: [{ ports: [{ port: "pg" }] }],
    });
    expect(allows([p], pods.client, pods.db, 5432)).toBe(true);
    expect(allows([p], pods.client, pods.web, 5432)).toBe(false);
    expect(allows([p], pods.client, OUTSIDE, 5432)).toBe(false);
  });

  it("default-deny egress with DNS allowed to kube-dns, by namespace or by namespace and pod", () => {
    const deny = policy({ podSelector: {}, policyTypes: ["Egress"] });
    expect(allows([deny], pods.client, pods.dns, 53, "UDP")).toBe(false);
    expect(allows([deny], pods.client, pods.web)).toBe(false);
    // ingress is not isolated by an egress-only policy
    expect(allows([deny], OUTSIDE, pods.client)).toBe(true);
    const byNamespace = policy({
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }],
          ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
          ],
        },
      ],
    });
    expect(allows([deny, byNamespace], pods.client, pods.dns, 53, "UDP")).toBe(true);
    expect(allows([deny, byNamespace], pods.client, pods.dns, 53, "TCP")).toBe(true);
    expect(allows([deny, byNamespace], pods.client, pods.dns, 54, "UDP")).toBe(false);
    expect(allows([deny, byNamespace], pods.client, pods.web, 53, "UDP")).toBe(false);
    const byPod = policy({
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ namespaceSelector: {}, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
          ports: [{ protocol: "UDP", port: "dns" }],
        },
      ],
    });
    expect(allows([byPod], pods.client, pods.dns, 53, "UDP")).toBe(true);
    expect(allows([byPod], pods.client, pods.dns, 53, "TCP")).toBe(false);
    // port 53 to anywhere allows DNS too
    const anywhere = policy({ podSelector: {}, egress: [{ ports: [{ protocol: "UDP", port: 53 }] }] });
    expect(allows([anywhere], pods.client, pods.dns, 53, "UDP")).toBe(true);
    expect(allows([anywhere], pods.client, OUTSIDE, 443)).toBe(false);
  });

  it("policies add up: a pod selected by several gets the union of their rules", () => {
    const fromClient = policy({
      podSelector: { matchLabels: { app: "web" } },
      ingress: [{ from: [{ podSelector: { matchLabels: { access: "true" } } }] }],
    });
    const fromDb = policy({
      podSelector: { matchLabels: { app: "web" } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: "db" } } }], ports: [{ port: 8080 }] }],
    });
    expect(allows([fromClient, fromDb], pods.client, pods.web)).toBe(true);
    expect(allows([fromClient, fromDb], pods.db, pods.web, 8080)).toBe(true);
    expect(allows([fromClient, fromDb], pods.db, pods.web, 80)).toBe(false);
    expect(allows([fromClient, fromDb], pods.other, pods.web, 8080)).toBe(false);
  });

  it("both ends must agree: the client's egress and the server's ingress", () => {
    const egress = policy({
      podSelector: { matchLabels: { access: "true" } },
      egress: [{ to: [{ podSelector: { matchLabels: { app: "web" } } }] }],
    });
    const ingress = policy({ podSelector: { matchLabels: { app: "web" } }, ingress: [] });
    expect(allows([egress], pods.client, pods.web)).toBe(true);
    expect(allows([egress, ingress], pods.client, pods.web)).toBe(false);
    expect(allows([egress], pods.client, pods.db)).toBe(false);
  });

  it("matchExpressions select pods: NotIn, Exists, DoesNotExist", () => {
    const p = policy({
      podSelector: { matchExpressions: [{ key: "app", operator: "Exists" }] },
      ingress: [
        { from: [{ podSelector: { matchExpressions: [{ key: "app", operator: "DoesNotExist" }] } }] },
      ],
    });
    expect(allows([p], pods.client, pods.web)).toBe(true);
    expect(allows([p], pods.db, pods.web)).toBe(false);
    expect(allows([p], pods.db, pods.client)).toBe(true);
  });
});
