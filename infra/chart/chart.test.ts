import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { chartDirectory } from "../../core/charts/catalog";
import { loadConfig } from "../../core/config";
import { templateCommand } from "../../helm/template-command";

/** The chart's files, as `helm template` reads them (this test aside). */
const chartFiles = () =>
  chartDirectory(fileURLToPath(new URL(".", import.meta.url)), (path) => path.endsWith(".test.ts"));

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}
interface Obj {
  kind: string;
  metadata: { name: string };
  stringData?: Record<string, string>;
  spec?: {
    replicas?: number;
    template?: { spec: { containers: { name: string; command: string[]; env: EnvVar[] }[] } };
  };
}

const VALUES = {
  publicUrl: "https://timonier.example.org",
  kubeUrl: "https://kube.timonier.example.org:8443",
  adminToken: "a-token-of-at-least-16-chars",
  databaseUrl: "postgres://timonier:secret@postgres:5432/timonier",
  redisUrl: "redis://:secret@redis:6379",
  otel: { endpoint: "http://otel-collector:4318" },
  nodes: [
    { name: "node-1", dockerHost: "tcp://10.0.0.11:2376", address: "10.0.0.11", tlsSecret: "node-1-tls" },
    { name: "node-2", dockerHost: "tcp://10.0.0.12:2376", address: "10.0.0.12", labels: "zone=b" },
  ],
};

function render(values: Record<string, unknown>): Obj[] {
  const text = templateCommand(chartFiles(), {
    releaseName: "classroom",
    namespace: "timonier",
    valuesFiles: [stringify(values)],
  });
  return parseAllDocuments(text).map((d) => d.toJS() as Obj);
}

/** A container's environment as the kubelet would give it, secrets resolved from the rendered Secret. */
function environment(objects: Obj[], env: EnvVar[]): Record<string, string> {
  const secrets = new Map(
    objects.filter((o) => o.kind === "Secret").map((s) => [s.metadata.name, s.stringData]),
  );
  return Object.fromEntries(
    env.map((e) => {
      const ref = e.valueFrom?.secretKeyRef;
      return [e.name, ref ? (secrets.get(ref.name)?.[ref.key] ?? "") : (e.value ?? "")];
    }),
  );
}

describe("the platform's own chart, rendered by our engine", () => {
  const objects = render(VALUES);
  const deployment = (name: string) =>
    objects.find((o) => o.kind === "Deployment" && o.metadata.name === name);

  it("makes the API, the controllers and one agent per Docker host, with their Services", () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "Secret/classroom-timonier-secrets",
      "Service/classroom-timonier-api",
      "Service/classroom-timonier-agent-node-1",
      "Service/classroom-timonier-agent-node-2",
      "Deployment/classroom-timonier-api",
      "Deployment/classroom-timonier-controllers",
      "Deployment/classroom-timonier-agent-node-1",
      "Deployment/classroom-timonier-agent-node-2",
    ]);
  });

  it("restarts an API that stops answering, not one whose Redis or Postgres is away", () => {
    const api = deployment("classroom-timonier-api")?.spec?.template?.spec.containers[0] as unknown as {
      livenessProbe: { httpGet: { path: string } };
      readinessProbe: { httpGet: { path: string } };
    };
    expect(api.livenessProbe.httpGet.path).toBe("/livez");
    expect(api.readinessProbe.httpGet.path).toBe("/healthz");
  });

  it("restarts a controller or node agent process whose event loop stops answering", () => {
    for (const name of ["classroom-timonier-controllers", "classroom-timonier-agent-node-1"]) {
      const container = deployment(name)?.spec?.template?.spec.containers[0] as unknown as {
        livenessProbe: { httpGet: { path: string; port: string } };
        ports: { name: string; containerPort: number }[];
        env: { name: string; value?: string }[];
      };
      expect(container.livenessProbe.httpGet).toEqual({ path: "/livez", port: "livez" });
      const port = container.ports.find((p) => p.name === "livez")?.containerPort;
      expect(container.env).toContainEqual({ name: "TIMONIER_LIVEZ_PORT", value: String(port) });
    }
  });

  it("configures every process so that the platform accepts its configuration", () => {
    for (const deployment of objects.filter((o) => o.kind === "Deployment"))
      for (const container of deployment.spec?.template?.spec.containers ?? []) {
        const config = loadConfig(environment(objects, container.env));
        expect(config).toMatchObject({
          adminToken: VALUES.adminToken,
          databaseUrl: VALUES.databaseUrl,
          redisUrl: VALUES.redisUrl,
          publicUrl: VALUES.publicUrl,
          kubeUrl: VALUES.kubeUrl,
          otlpEndpoint: VALUES.otel.endpoint,
        });
      }
  });

  it("points each agent at its own Docker host and publishes where the API reaches it", () => {
    const agent = deployment("classroom-timonier-agent-node-1")?.spec?.template?.spec.containers[0];
    const config = loadConfig(environment(objects, agent?.env ?? []));
    expect(config).toMatchObject({
      nodeName: "node-1",
      dockerHost: "tcp://10.0.0.11:2376",
      dockerCertPath: "/etc/docker-tls",
      nodeAddress: "10.0.0.11",
      agentUrl: "http://classroom-timonier-agent-node-1.timonier.svc:10250",
    });
    const second = deployment("classroom-timonier-agent-node-2")?.spec?.template?.spec.containers[0];
    expect(loadConfig(environment(objects, second?.env ?? [])).nodeLabels).toEqual({ zone: "b" });
    const controllers = deployment("classroom-timonier-controllers")?.spec?.template?.spec.containers[0];
    expect(environment(objects, controllers?.env ?? []).TIMONIER_NODE_AGENT).toBe("false");
  });

  it("refuses what would not run, naming the value", () => {
    expect(() => render({ ...VALUES, adminToken: "" })).toThrow("adminToken is required");
    expect(() => render({ ...VALUES, api: { replicas: 2 } })).toThrow(
      "tls.existingSecret is required with more than one API replica",
    );
  });
});
