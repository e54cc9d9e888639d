import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DockerLab, startDockerLab } from "../support/docker-lab";

const run = promisify(execFile);

/** The lab that the multi-node suites stand on: engines that behave as separate machines. */
describe("a lab of Docker engines on one machine", () => {
  let lab: DockerLab;
  let netns: string[];

  beforeAll(async () => {
    lab = await startDockerLab(2, { images: ["busybox:latest"] });
  }, 180_000);
  afterAll(async () => {
    await lab?.close();
  });

  const pingFrom = async (index: number, address: string) => {
    const engine = lab.engines[index];
    if (!engine) throw new Error(`no engine ${index}`);
    const container = await engine.docker.createContainer({
      Image: "busybox:latest",
      Cmd: ["ping", "-c", "1", "-W", "2", address],
      HostConfig: { NetworkMode: "host", AutoRemove: false },
    });
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    await container.remove({ force: true });
    return StatusCode;
  };

  it("starts engines with their own namespaces and the images loaded, reaching each other", async () => {
    const [one, two] = lab.engines;
    if (!one || !two) throw new Error("two engines expected");
    expect(one.address).not.toBe(two.address);
    for (const engine of lab.engines) {
      const info = await engine.docker.info();
      expect(info.Images).toBeGreaterThan(0);
      expect((await engine.docker.listContainers({ all: true })).length).toBe(0);
    }
    expect(await pingFrom(1, one.address)).toBe(0);
    netns = (await run("ip", ["netns", "list"])).stdout
      .split("\n")
      .map((l) => l.split(" ")[0] ?? "")
      .filter((n) => n.startsWith("tnl"));
    expect(netns.length).toBeGreaterThanOrEqual(2);
  });

  it("kills an engine with everything it runs, and starts it again on the same data", async () => {
    const [one, two] = lab.engines;
    if (!one || !two) throw new Error("two engines expected");
    const sleeper = await one.docker.createContainer({ Image: "busybox:latest", Cmd: ["sleep", "3600"] });
    await sleeper.start();
    await one.kill();
    expect(one.running).toBe(false);
    await expect(one.docker.ping()).rejects.toThrow();
    const ps = (await run("ps", ["-eo", "args"])).stdout;
    expect(ps).not.toContain("sleep 3600");
    expect(await pingFrom(1, one.address)).toBe(0);

    await one.start();
    const again = await one.docker.getContainer(sleeper.id).inspect();
    expect(again.State.Running).toBe(false);
    await one.docker.getContainer(sleeper.id).remove({ force: true });
  });

  it("leaves no engine, namespace or link behind", async () => {
    const sockets = lab.engines.map((e) => e.dockerHost);
    await lab.close();
    const ps = (await run("ps", ["-eo", "args"])).stdout;
    for (const socket of sockets) expect(ps).not.toContain(socket);
    const left = (await run("ip", ["netns", "list"])).stdout;
    for (const name of netns) expect(left).not.toContain(name);
  });
});
