import { readFileSync } from "node:fs";
import { request } from "node:https";
import { KubeConfig, Watch } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

const websites = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "websites.example.com" },
  spec: {
    group: "example.com",
    scope: "Namespaced",
    names: {
      plural: "websites",
      singular: "website",
      kind: "Website",
      shortNames: ["ws"],
      categories: ["all"],
    },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        subresources: {
          status: {},
          scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" },
        },
        additionalPrinterColumns: [
          { name: "Domain", type: "string", jsonPath: ".spec.domain" },
          { name: "Replicas", type: "integer", jsonPath: ".spec.replicas" },
          { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
          { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
        ],
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: {
                type: "object",
                description: "What the website serves.",
                required: ["domain"],
                properties: {
                  domain: {
                    type: "string",
                    description: "The website's domain name.",
                    pattern: "^[a-z0-9.-]+$",
                  },
                  replicas: { type: "integer", minimum: 1, maximum: 10, default: 1 },
                  tier: { type: "string", enum: ["free", "pro"], default: "free" },
                  port: { "x-kubernetes-int-or-string": true },
                  extra: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                },
                "x-kubernetes-validations": [
                  {
                    rule: "self.tier == 'pro' || self.replicas <= 3",
                    message: "free websites have at most 3 replicas",
                  },
                  { rule: "self.domain == oldSelf.domain", message: "domain is immutable" },
                ],
              },
              status: {
                type: "object",
                properties: {
                  replicas: { type: "integer" },
                  conditions: {
                    type: "array",
                    items: {
                      type: "object",
                      properties: { type: { type: "string" }, status: { type: "string" } },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

/** The websites CRD under other names (and group or scope), for a second kind. */
function variant(
  names: { plural: string; singular: string; kind: string },
  group = "example.com",
  scope?: string,
) {
  const crd = structuredClone(websites);
  crd.metadata.name = `${names.plural}.${group}`;
  crd.spec.group = group;
  if (scope) crd.spec.scope = scope;
  crd.spec.names = { ...names, shortNames: [], categories: [] };
  return crd;
}

const website = (name: string, spec: object, labels: Record<string, string> = {}) => ({
  apiVersion: "example.com/v1",
  kind: "Website",
  metadata: { name, labels },
  spec,
});

describe("CustomResourceDefinitions through the real kubectl", () => {
  let platform: TestPlatform;
  let kubeconfig: string;
  let token: string;
  let id: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ nodeAgent: false });
    ({ id, kubeconfig, token } = await platform.createCluster("crds"));
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
  });

  const k = (args: string[], input?: object) =>
    kubectl(kubeconfig, args, input === undefined ? {} : { input: JSON.stringify(input) });

  it("establishes a CRD and serves its kind in discovery at once", async () => {
    expect((await k(["apply", "-f", "-"], websites)).stdout).toContain(
      "customresourcedefinition.apiextensions.k8s.io/websites.example.com created",
    );
    const conditions = await k([
      "get",
      "crd",
      "websites.example.com",
      "-o",
      'jsonpath={.status.conditions[?(@.type=="Established")].status} {.status.conditions[?(@.type=="NamesAccepted")].reason}',
    ]);
    expect(conditions.stdout).toBe("True NoConflicts");
    const waited = await k([
      "wait",
      "--for",
      "condition=Established",
      "--timeout=10s",
      "crd/websites.example.com",
    ]);
    expect(waited.stdout).toBe(
      "customresourcedefinition.apiextensions.k8s.io/websites.example.com condition met\n",
    );
    const resources = await k(["api-resources", "--api-group", "example.com"]);
    expect(resources.stdout).toMatch(/websites\s+ws\s+example.com\/v1\s+true\s+Website/);
    const legacy = JSON.parse((await k(["get", "--raw", "/apis/example.com/v1"])).stdout);
    expect(legacy.resources.map((r: { name: string }) => r.name)).toEqual([
      "websites",
      "websites/status",
      "websites/scale",
    ]);
  });

  it("lists the kind in aggregated discovery", async () => {
    const text = readFileSync(kubeconfig, "utf8");
    const server = /server: (\S+)/.exec(text)?.[1] ?? "";
    const ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(text)?.[1] ?? "", "base64");
    const accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
    const response = await new Promise<{ type: string; body: string }>((resolve, reject) => {
      const req = request(
        `${server}/apis`,
        { ca, headers: { authorization: `Bearer ${token}`, accept } },
        (res) => {
          let body = "";
          res.on("data", (chunk) => {
            body += chunk;
          });
          res.on("end", () => resolve({ type: res.headers["content-type"] ?? "", body }));
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(response.type).toBe("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    const list = JSON.parse(response.body);
    const group = list.items.find((g: { metadata: { name: string } }) => g.metadata.name === "example.com");
    expect(group.versions[0].resources[0]).toMatchObject({
      resource: "websites",
      responseKind: { group: "example.com", version: "v1", kind: "Website" },
      scope: "Namespaced",
      shortNames: ["ws"],
      categories: ["all"],
      subresources: [
        { subresource: "status", responseKind: { kind: "Website" } },
        { subresource: "scale", responseKind: { group: "autoscaling", version: "v1", kind: "Scale" } },
      ],
    });
  });

  it("refuses an invalid CRD with kube-apiserver's messages", async () => {
    const bad = structuredClone(websites) as Record<string, unknown> & typeof websites;
    bad.metadata.name = "sites.example.com";
    (bad.spec.versions[0] as { storage: boolean }).storage = false;
    const refused = await k(["apply", "-f", "-"], bad);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'metadata.name: Invalid value: "sites.example.com": must be spec.names.plural+"."+spec.group',
    );
    expect(refused.stderr).toContain("must have exactly one version marked as storage version");
  });

  it("does not accept a CRD whose kind another CRD of the group has, as the naming controller", async () => {
    const twin = variant({ plural: "sites", singular: "site", kind: "Website" });
    expect((await k(["apply", "-f", "-"], twin)).code).toBe(0);
    const status = await k([
      "get",
      "crd",
      "sites.example.com",
      "-o",
      'jsonpath={.status.conditions[?(@.type=="NamesAccepted")].reason} {.status.conditions[?(@.type=="NamesAccepted")].message} {.status.conditions[?(@.type=="Established")].status}',
    ]);
    expect(status.stdout).toBe('KindConflict "Website" is already in use False');
    expect((await k(["get", "--raw", "/apis/example.com/v1/sites"])).code).not.toBe(0);
    expect((await k(["delete", "crd", "sites.example.com"])).code).toBe(0);
  });

  it("creates, defaults, lists and prints custom resources", async () => {
    expect(
      (await k(["apply", "-f", "-"], website("blog", { domain: "blog.example.com" }, { app: "blog" })))
        .stdout,
    ).toBe("website.example.com/blog created\n");
    const stored = JSON.parse((await k(["get", "website", "blog", "-o", "json"])).stdout);
    expect(stored.spec).toEqual({ domain: "blog.example.com", replicas: 1, tier: "free" });
    expect(stored.metadata.generation).toBe(1);
    const table = await k(["get", "ws"]);
    expect(table.stdout).toMatch(
      /^NAME\s+DOMAIN\s+REPLICAS\s+READY\s+AGE\nblog\s+blog.example.com\s+1\s+\d+s\n$/,
    );
    await k(["apply", "-f", "-"], website("shop", { domain: "shop.example.com" }, { app: "shop" }));
    expect((await k(["get", "websites", "-l", "app=shop", "-o", "name"])).stdout).toBe(
      "website.example.com/shop\n",
    );
    expect(
      (await k(["get", "websites", "--field-selector", "metadata.name=blog", "-o", "name"])).stdout,
    ).toBe("website.example.com/blog\n");
    expect((await k(["get", "all", "-o", "name"])).stdout).toContain("website.example.com/blog");
    const described = await k(["describe", "website", "blog"]);
    expect(described.stdout).toMatch(/Name:\s+blog[\s\S]*Domain:\s+blog.example.com/);
    const reapplied = await k(
      ["apply", "-f", "-"],
      website("shop", { domain: "shop.example.com", tier: "pro" }, { app: "shop" }),
    );
    expect(reapplied.stdout).toBe("website.example.com/shop configured\n");
    expect((await k(["get", "website", "shop", "-o", "jsonpath={.spec.tier}"])).stdout).toBe("pro");
  });

  it("streams custom resources to a @kubernetes/client-node watch", async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const seen: string[] = [];
    const request = await new Watch(kc).watch(
      "/apis/example.com/v1/namespaces/default/websites",
      { labelSelector: "app=watched" },
      (type, obj: { metadata: { name: string } }) => seen.push(`${type} ${obj.metadata.name}`),
      () => {},
    );
    try {
      await k(["apply", "-f", "-"], website("watched", { domain: "w.example.com" }, { app: "watched" }));
      await k(["label", "website", "watched", "extra=yes"]);
      await eventually(async () => (seen.length >= 2 ? true : undefined), 10_000);
      expect(seen).toEqual(["ADDED watched", "MODIFIED watched"]);
    } finally {
      request.abort();
    }
  });

  it("validates against the schema and the CEL rules", async () => {
    const wrongType = await k(["apply", "-f", "-"], website("bad", { domain: "x.com", replicas: "two" }));
    expect(wrongType.stderr).toContain(
      'Website.example.com "bad" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    );
    const many = await k(
      ["apply", "-f", "-"],
      website("bad", { domain: "x.com", replicas: 20, tier: "gold" }),
    );
    expect(many.stderr).toContain(
      "spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10",
    );
    expect(many.stderr).toContain('spec.tier: Unsupported value: "gold": supported values: "free", "pro"');
    const missing = await k(["apply", "-f", "-"], website("bad", { replicas: 2 }));
    expect(missing.stderr).toContain("spec.domain: Required value");
    const rule = await k(["apply", "-f", "-"], website("bad", { domain: "x.com", replicas: 5 }));
    expect(rule.stderr).toContain('spec: Invalid value: "object": free websites have at most 3 replicas');
    const transition = await k([
      "patch",
      "website",
      "blog",
      "--type=merge",
      "-p",
      '{"spec":{"domain":"other.com"}}',
    ]);
    expect(transition.stderr).toContain('spec: Invalid value: "object": domain is immutable');
    expect((await k(["get", "website", "bad"])).code).not.toBe(0);
  });

  it("prunes unknown fields, keeping preserved ones, and warns or refuses per fieldValidation", async () => {
    const input = website("pruned", { domain: "p.com", colour: "red", extra: { anything: { goes: 1 } } });
    const strict = await k(["apply", "-f", "-"], input);
    expect(strict.stderr).toContain('unknown field "spec.colour"');
    expect(strict.code).not.toBe(0);
    const warned = await k(["apply", "--validate=warn", "-f", "-"], input);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain('Warning: unknown field "spec.colour"');
    const spec = JSON.parse((await k(["get", "website", "pruned", "-o", "jsonpath={.spec}"])).stdout);
    expect(spec).toEqual({ domain: "p.com", replicas: 1, tier: "free", extra: { anything: { goes: 1 } } });
  });

  it("patches with merge and JSON patches, refuses strategic merge patches", async () => {
    expect(
      (await k(["patch", "website", "blog", "--type=merge", "-p", '{"spec":{"replicas":2}}'])).code,
    ).toBe(0);
    expect(
      (
        await k([
          "patch",
          "website",
          "blog",
          "--type=json",
          "-p",
          '[{"op":"replace","path":"/spec/tier","value":"pro"}]',
        ])
      ).code,
    ).toBe(0);
    const smp = await k(["patch", "website", "blog", "-p", '{"spec":{"replicas":3}}']);
    expect(smp.code).not.toBe(0);
    expect(smp.stderr).toContain(
      "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
    );
    const obj = JSON.parse((await k(["get", "website", "blog", "-o", "json"])).stdout);
    expect(obj.spec).toMatchObject({ replicas: 2, tier: "pro" });
    expect(obj.metadata.generation).toBe(3);
  });

  it("applies server-side with field ownership", async () => {
    const applied = await k(
      ["apply", "--server-side", "--field-manager=site-tool", "-f", "-"],
      website("ssa", { domain: "ssa.example.com", replicas: 2 }),
    );
    expect(applied.stdout).toBe("website.example.com/ssa serverside-applied\n");
    const managers = await k([
      "get",
      "website",
      "ssa",
      "--show-managed-fields",
      "-o",
      "jsonpath={.metadata.managedFields[*].manager}",
    ]);
    expect(managers.stdout).toContain("site-tool");
    const conflict = await k(
      ["apply", "--server-side", "--field-manager=other", "-f", "-"],
      website("ssa", { domain: "ssa.example.com", replicas: 3 }),
    );
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain("conflict");
  });

  it("keeps status and spec apart through the status subresource, and scales", async () => {
    const status = await k([
      "patch",
      "website",
      "blog",
      "--subresource=status",
      "--type=merge",
      "-p",
      '{"spec":{"replicas":9},"status":{"replicas":2,"conditions":[{"type":"Ready","status":"True"}]}}',
    ]);
    expect(status.code).toBe(0);
    const mainWrite = await k([
      "patch",
      "website",
      "blog",
      "--type=merge",
      "-p",
      '{"status":{"replicas":7}}',
    ]);
    expect(mainWrite.code).toBe(0);
    const obj = JSON.parse((await k(["get", "website", "blog", "-o", "json"])).stdout);
    expect(obj.spec.replicas).toBe(2);
    expect(obj.status.replicas).toBe(2);
    expect((await k(["get", "website", "blog", "--no-headers"])).stdout).toMatch(
      /^blog\s+blog.example.com\s+2\s+True\s+/,
    );
    expect((await k(["scale", "website", "blog", "--replicas=4"])).stdout).toBe(
      "website.example.com/blog scaled\n",
    );
    expect((await k(["get", "website", "blog", "-o", "jsonpath={.spec.replicas}"])).stdout).toBe("4");
  });

  it("explains the custom kind from its schema", async () => {
    const explained = await k(["explain", "website.spec"]);
    expect(explained.stdout).toContain("What the website serves.");
    expect(explained.stdout).toMatch(/domain\t<string> -required-/);
    const field = await k(["explain", "websites.spec.domain"]);
    expect(field.stdout).toContain("The website's domain name.");
  });

  it("serves several versions from one storage version, and not the unserved ones", async () => {
    const crd = structuredClone(websites);
    const v1 = crd.spec.versions[0] as (typeof crd.spec.versions)[0];
    crd.spec.versions = [
      v1,
      { ...v1, name: "v1beta1", storage: false },
      { ...v1, name: "v1alpha1", served: false, storage: false },
    ];
    expect((await k(["apply", "-f", "-"], crd)).code).toBe(0);
    const beta = JSON.parse((await k(["get", "websites.v1beta1.example.com", "blog", "-o", "json"])).stdout);
    expect(beta.apiVersion).toBe("example.com/v1beta1");
    const created = await k(["apply", "-f", "-"], {
      ...website("beta", { domain: "b.com" }),
      apiVersion: "example.com/v1beta1",
    });
    expect(created.code).toBe(0);
    expect((await k(["get", "websites.v1.example.com", "beta", "-o", "jsonpath={.apiVersion}"])).stdout).toBe(
      "example.com/v1",
    );
    const alpha = await k(["get", "--raw", `/apis/example.com/v1alpha1/namespaces/default/websites`]);
    expect(alpha.code).not.toBe(0);
    const groups = JSON.parse((await k(["get", "--raw", "/apis"])).stdout);
    const group = groups.groups.find((g: { name: string }) => g.name === "example.com");
    expect(group.versions.map((v: { version: string }) => v.version)).toEqual(["v1", "v1beta1"]);
    expect(group.preferredVersion.version).toBe("v1");
  });

  it("honours finalizers and collects owned objects", async () => {
    await k(["apply", "-f", "-"], {
      ...website("held", { domain: "held.com" }),
      metadata: { name: "held", finalizers: ["example.com/hold"] },
    });
    expect((await k(["delete", "website", "held", "--wait=false"])).code).toBe(0);
    expect(
      (await k(["get", "website", "held", "-o", "jsonpath={.metadata.deletionTimestamp}"])).stdout,
    ).not.toBe("");
    await k([
      "patch",
      "website",
      "held",
      "--type=json",
      "-p",
      '[{"op":"remove","path":"/metadata/finalizers"}]',
    ]);
    expect((await k(["get", "website", "held"])).code).not.toBe(0);

    const uid = (await k(["get", "website", "shop", "-o", "jsonpath={.metadata.uid}"])).stdout;
    await k(["apply", "-f", "-"], {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "shop-config",
        ownerReferences: [{ apiVersion: "example.com/v1", kind: "Website", name: "shop", uid }],
      },
      data: { a: "b" },
    });
    const deleted = await k(["delete", "website", "shop"]);
    expect(deleted.stderr).toBe("");
    await eventually(
      async () => ((await k(["get", "configmap", "shop-config"])).code !== 0 ? true : undefined),
      20_000,
    );
  });

  it("installs a chart's crds/ before rendering its templates, which may then use the new kind", async () => {
    const gadgets = variant({ plural: "gadgets", singular: "gadget", kind: "Gadget" }, "example.org");
    const files = {
      "Chart.yaml": "apiVersion: v2\nname: gadget\nversion: 0.1.0\n",
      "crds/gadgets.yaml": JSON.stringify(gadgets),
      "templates/gadget.yaml": [
        '{{- if .Capabilities.APIVersions.Has "example.org/v1/Gadget" }}',
        "apiVersion: example.org/v1",
        "kind: Gadget",
        "metadata:",
        "  name: {{ .Release.Name }}",
        "spec:",
        "  domain: gadget.example.org",
        "{{- end }}",
      ].join("\n"),
    };
    const res = await platform.admin("POST", `/v1/clusters/${id}/releases`, {
      name: "gizmo",
      chart: { files },
    });
    expect(res.status).toBe(201);
    expect((await k(["get", "gadgets", "gizmo", "-o", "jsonpath={.spec.replicas}"])).stdout).toBe("1");
    expect(
      (
        await k([
          "get",
          "gadget",
          "gizmo",
          "-o",
          "jsonpath={.metadata.labels.app\\.kubernetes\\.io/managed-by}",
        ])
      ).stdout,
    ).toBe("Helm");
  });

  it("empties a deleted namespace of its custom resources", async () => {
    await k(["create", "namespace", "doomed"]);
    await k(["apply", "-n", "doomed", "-f", "-"], website("gone", { domain: "gone.com" }));
    expect((await k(["get", "websites", "-n", "doomed", "-o", "name"])).stdout).toBe(
      "website.example.com/gone\n",
    );
    await k(["delete", "namespace", "doomed", "--wait=false"]);
    await eventually(
      async () => ((await k(["get", "namespace", "doomed"])).code !== 0 ? true : undefined),
      20_000,
    );
    expect(
      (await k(["get", "websites", "-A", "--field-selector", "metadata.namespace=doomed", "-o", "name"]))
        .stdout,
    ).toBe("");
  });

  it("serves cluster-scoped custom resources", async () => {
    const crd = variant({ plural: "regions", singular: "region", kind: "Region" }, "example.com", "Cluster");
    const v = crd.spec.versions[0] as {
      additionalPrinterColumns?: unknown;
      subresources?: unknown;
      schema: unknown;
    };
    delete v.additionalPrinterColumns;
    delete v.subresources;
    v.schema = {
      openAPIV3Schema: {
        type: "object",
        properties: { spec: { type: "object", properties: { zone: { type: "string" } } } },
      },
    };
    expect((await k(["apply", "-f", "-"], crd)).code).toBe(0);
    const region = {
      apiVersion: "example.com/v1",
      kind: "Region",
      metadata: { name: "eu" },
      spec: { zone: "eu-west" },
    };
    expect((await k(["apply", "-f", "-"], region)).stdout).toBe("region.example.com/eu created\n");
    expect((await k(["get", "regions"])).stdout).toMatch(/^NAME\s+AGE\neu\s+\d+s\n$/);
    expect((await k(["get", "regions", "-n", "kube-system", "-o", "name"])).stdout).toBe(
      "region.example.com/eu\n",
    );
  });

  it("deletes a CRD's objects with it", async () => {
    expect((await k(["delete", "crd", "regions.example.com"])).code).toBe(0);
    await eventually(
      async () => ((await k(["get", "crd", "regions.example.com"])).code !== 0 ? true : undefined),
      20_000,
    );
    // the worker's removal of the CRD reaches the API's cache of served types by notification
    await eventually(
      async () => ((await k(["get", "--raw", "/apis/example.com/v1/regions"])).code !== 0 ? true : undefined),
      2_000,
    );
    const crd = variant({ plural: "regions", singular: "region", kind: "Region" }, "example.com", "Cluster");
    expect((await k(["apply", "-f", "-"], crd)).code).toBe(0);
    expect(await k(["get", "regions", "-o", "name"])).toMatchObject({ code: 0, stdout: "" });
  });
});
