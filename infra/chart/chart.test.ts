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
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
}
interface Container {
  name: string;
  command: string[];
  env: EnvVar[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface Obj {
  kind: string;
  metadata: { name: string };
  stringData?: Record<string, string>;
  spec?: {
    replicas?: number;
    template?: {
      spec: { containers: Container[]; volumes?: { name: string; secret?: { secretName: string } }[] };
    };
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
    {
      name: "node-2",
      dockerHost: "tcp://10.0.0.12:2376",
      address: "10.0.0.12",
      tlsSecret: "node-2-tls",
      labels: { zone: "b" },
      taints: [{ key: "dedicated", value: "teachers", effect: "NoSchedule" }],
      maxPods: 200,
    },
    { name: "local", dockerHost: "unix:///var/run/docker.sock", address: "10.0.0.10" },
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

  it("makes the API and the controllers, which run the Docker hosts' agents", () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "Secret/classroom-timonier-secrets",
      "Service/classroom-timonier-api",
      "Deployment/classroom-timonier-api",
      "Deployment/classroom-timonier-controllers",
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

  it("restarts a controller process whose event loop stops answering", () => {
    for (const name of ["classroom-timonier-controllers"]) {
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

  it("lists the Docker hosts for the API to register as nodes, their TLS material where it and the agents read it", () => {
    const container = (name: string) => deployment(name)?.spec?.template?.spec.containers[0];
    const api = container("classroom-timonier-api");
    expect(loadConfig(environment(objects, api?.env ?? [])).dockerHosts).toEqual([
      {
        name: "node-1",
        dockerHost: "tcp://10.0.0.11:2376",
        address: "10.0.0.11",
        certPath: "/etc/timonier/docker/node-1",
      },
      {
        name: "node-2",
        dockerHost: "tcp://10.0.0.12:2376",
        address: "10.0.0.12",
        certPath: "/etc/timonier/docker/node-2",
        labels: { zone: "b" },
        taints: [{ key: "dedicated", value: "teachers", effect: "NoSchedule" }],
        maxPods: 200,
      },
      { name: "local", dockerHost: "unix:///var/run/docker.sock", address: "10.0.0.10" },
    ]);
    for (const name of ["classroom-timonier-api", "classroom-timonier-controllers"]) {
      const pod = deployment(name)?.spec?.template?.spec;
      for (const node of ["node-1", "node-2"]) {
        const mount = pod?.containers[0]?.volumeMounts?.find(
          (m) => m.mountPath === `/etc/timonier/docker/${node}`,
        );
        expect(mount?.readOnly, `${name} ${node}`).toBe(true);
        expect(pod?.volumes?.find((v) => v.name === mount?.name)?.secret?.secretName).toBe(`${node}-tls`);
      }
    }
    const controllers = container("classroom-timonier-controllers");
    expect(loadConfig(environment(objects, controllers?.env ?? []))).toMatchObject({
      nodeAgent: "registered",
      agentHost: "0.0.0.0",
    });
    expect(controllers?.env).toContainEqual({
      name: "TIMONIER_AGENT_ADVERTISE_HOST",
      valueFrom: { fieldRef: { fieldPath: "status.podIP" } },
    });
  });

  it("renders no Docker host and no TLS mount when none is listed", () => {
    const bare = render({ ...VALUES, nodes: [] });
    const api = bare.find((o) => o.metadata.name === "classroom-timonier-api" && o.kind === "Deployment");
    const container = api?.spec?.template?.spec.containers[0];
    expect(loadConfig(environment(bare, container?.env ?? [])).dockerHosts).toEqual([]);
    expect(container?.volumeMounts).toBeUndefined();
  });

  it("refuses what would not run, naming the value", () => {
    expect(() => render({ ...VALUES, adminToken: "" })).toThrow("adminToken is required");
    expect(() => render({ ...VALUES, api: { replicas: 2 } })).toThrow(
      "tls.existingSecret is required with more than one API replica",
    );
    const plain = { name: "node-3", dockerHost: "tcp://10.0.0.13:2376", address: "10.0.0.13" };
    expect(() => render({ ...VALUES, nodes: [plain] })).toThrow(
      "node node-3: a tcp:// engine is reached over TLS only: give its tlsSecret",
    );
    expect(() => render({ ...VALUES, nodes: [{ name: "node-3", dockerHost: "unix:///x.sock" }] })).toThrow(
      "node node-3 needs its address",
    );
  });
});
