import { execFile, spawn } from "node:child_process";
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
    netns = lab.engines.map((e) => e.netns);
    const listed = (await run("ip", ["netns", "list"])).stdout;
    for (const name of netns) expect(listed).toContain(name);
  });

  it("kills an engine with everything it runs, and starts it again on the same data", async () => {
    const [one, two] = lab.engines;
    if (!one || !two) throw new Error("two engines expected");
    const marker = String(3600 + Math.floor(Math.random() * 100_000));
    const sleeper = await one.docker.createContainer({ Image: "busybox:latest", Cmd: ["sleep", marker] });
    await sleeper.start();
    await one.kill();
    expect(one.running).toBe(false);
    await expect(one.docker.ping()).rejects.toThrow();
    const ps = (await run("ps", ["-eo", "args"])).stdout;
    expect(ps.split("\n")).not.toContain(`sleep ${marker}`);
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
    const left = (await run("ip", ["netns", "list"])).stdout.split("\n").map((l) => l.split(" ")[0]);
    for (const name of netns) expect(left).not.toContain(name);
  });

  it("sweeps the lab of a test run that was killed before it closed its lab", async () => {
    const child = spawn(
      "npx",
      [
        "tsx",
        "-e",
        `import("./test/support/docker-lab.ts").then(async (m) => { await m.startDockerLab(1, { images: [] }); console.log("up", process.pid); setInterval(() => {}, 1000); })`,
      ],
      { stdio: ["ignore", "pipe", "inherit"], detached: true },
    );
    const owner = await new Promise<string>((resolve, reject) => {
      child.stdout?.on("data", (d: Buffer) => {
        const m = /up (\d+)/.exec(d.toString());
        if (m?.[1]) resolve(m[1]);
      });
      child.once("exit", () => reject(new Error("the lab's process ended before its lab was up")));
    });
    const engines = async () =>
      (await run("ps", ["-eo", "args"])).stdout
        .split("\n")
        .filter((l) => l.startsWith("dockerd ") && l.includes(`-p${owner}-`));
    // the test run dies, its engine does not: nobody is left to close the lab
    process.kill(Number(owner), "SIGKILL");
    const gone = () => {
      try {
        process.kill(Number(owner), 0);
        return false;
      } catch {
        return true;
      }
    };
    while (!gone()) await new Promise((r) => setTimeout(r, 100));
    expect(await engines()).toHaveLength(1);

    const next = await startDockerLab(1, { images: [] });
    await next.close();
    expect(await engines()).toEqual([]);
  });
});
