import { describe, expect, it } from "vitest";
import { loadConfig } from "./config";
import { parseDockerHosts } from "./docker-hosts";

const remote = {
  name: "node-2",
  dockerHost: "tcp://10.0.0.12:2376",
  certPath: "/etc/timonier/docker/node-2",
  address: "10.0.0.12",
};

describe("TIMONIER_DOCKER_HOSTS", () => {
  it("lists Docker hosts in POST /v1/nodes' shape; nothing when unset", () => {
    const local = {
      name: "local",
      dockerHost: "unix:///var/run/docker.sock",
      address: "127.0.0.1",
      maxPods: 200,
    };
    expect(parseDockerHosts(JSON.stringify([remote, local]))).toEqual([remote, local]);
    expect(parseDockerHosts(undefined)).toEqual([]);
    expect(parseDockerHosts("  ")).toEqual([]);
  });

  it("refuses what POST /v1/nodes would, naming the entry", () => {
    expect(() => parseDockerHosts("[{")).toThrow("not JSON");
    expect(() => parseDockerHosts(JSON.stringify([{ ...remote, name: "Node_2" }]))).toThrow(
      "[0.name] must be a DNS-1123 label",
    );
    expect(() => parseDockerHosts(JSON.stringify([{ ...remote, port: 2376 }]))).toThrow("port");
    expect(() => parseDockerHosts(JSON.stringify([remote, { ...remote, address: "10.0.0.13" }]))).toThrow(
      "node-2 is listed twice",
    );
    const { certPath: _, ...plain } = remote;
    expect(() => parseDockerHosts(JSON.stringify([plain]))).toThrow(
      "node-2: a tcp:// engine is reached over TLS only: give certPath",
    );
  });

  it("stops the platform at boot with the variable named", () => {
    const env = {
      TIMONIER_ADMIN_TOKEN: "a-token-of-at-least-16-chars",
      DATABASE_URL: "postgres://t:s@localhost:5432/t",
      REDIS_URL: "redis://localhost:6379",
    };
    expect(loadConfig({ ...env, TIMONIER_DOCKER_HOSTS: JSON.stringify([remote]) }).dockerHosts).toEqual([
      remote,
    ]);
    expect(() => loadConfig({ ...env, TIMONIER_DOCKER_HOSTS: "[1]" })).toThrow(
      "invalid configuration: TIMONIER_DOCKER_HOSTS",
    );
  });
});
