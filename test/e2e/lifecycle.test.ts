import { writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerFromHost } from "../../workers/node-agent/docker-runtime";
import { LABEL } from "../../workers/node-agent/runtime";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

/** A cluster lives until its expiresAt, then goes with everything it ran. */
describe("cluster lifetime", () => {
  let platform: TestPlatform;
  const docker = dockerFromHost(process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock");
  const containersOf = async (id: string) =>
    docker.listContainers({ all: true, filters: { label: [`${LABEL.cluster}=${id}`] } });

  beforeAll(async () => {
    platform = await startTestPlatform({ resyncSeconds: 2 });
  });
  afterAll(async () => {
    await platform?.close();
  });

  it("deletes a cluster past its expiresAt, containers and all, and refuses a malformed one", async () => {
    const bad = await platform.admin("POST", "/v1/clusters", { name: "never", expiresAt: "tomorrow" });
    expect(bad.status).toBe(400);
    const expiresAt = new Date(Date.now() + 15_000).toISOString();
    const res = await platform.admin("POST", "/v1/clusters", { name: "ephemeral", expiresAt });
    expect(res.status).toBe(201);
    const { id, kubeconfig } = (await res.json()) as { id: string; kubeconfig: string };
    expect(
      ((await (await platform.admin("GET", `/v1/clusters/${id}`)).json()) as { expiresAt: string }).expiresAt,
    ).toBe(expiresAt);
    const path = `${platform.workDir}/ephemeral.kubeconfig`;
    await writeFile(path, kubeconfig);
    expect((await kubectl(path, ["run", "sleeper", "--image=busybox", "--", "sleep", "3600"])).code).toBe(0);
    await eventually(
      async () => ((await containersOf(id)).length > 0 ? true : undefined),
      30_000,
      "its containers",
    );
    await eventually(
      async () => ((await platform.admin("GET", `/v1/clusters/${id}`)).status === 404 ? true : undefined),
      60_000,
      "the expired cluster gone",
    );
    expect(await containersOf(id)).toEqual([]);
  });
});
