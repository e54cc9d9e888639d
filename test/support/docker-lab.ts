import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import Docker from "dockerode";
import { PAUSE_BASE, recipeVersion } from "../../infra/images/build";
import { ensureNetdImage } from "../../infra/images/netd";
import { eventually } from "./kubectl";

const run = promisify(execFile);

/** One lab engine: a dockerd in network, mount and PID namespaces of its own, as a separate machine. */
export interface LabEngine {
  /** The engine's address on the lab link, as another machine would reach it. */
  address: string;
  /** Its network namespace (`ip netns`), the machine's. */
  netns: string;
  /** Its DOCKER_HOST (a unix socket in the lab's directory). */
  dockerHost: string;
  docker: Docker;
  /** Kills the engine and everything it runs at once, as a machine that loses power. */
  kill(): Promise<void>;
  /** Stops the engine as `systemctl stop docker` would (SIGTERM), its containers with it. */
  stop(): Promise<void>;
  /** Starts the engine again on the same data root, after `kill` or `stop`. */
  start(): Promise<void>;
  readonly running: boolean;
}

export interface DockerLab {
  engines: LabEngine[];
  /** Removes every engine, namespace, link, rule and directory the lab made; safe to call twice. */
  close(): Promise<void>;
}

/**
 * The images the lab engines get from the main engine by default: pods' sandboxes, nginx and busybox. netd
 * is built in each lab engine from this checkout's code, as the platform's own seeding builds it (the main
 * engine's may be another checkout's).
 */
export const LAB_IMAGES = ["timonier/pause:1", "nginx:latest", "busybox:latest"];

const ENGINE_READY_MS = 60_000;
const IMAGES_MS = 90_000;

async function sh(cmd: string, args: string[]): Promise<string> {
  return (await run(cmd, args)).stdout;
}

/**
 * A /24 on the lab link that no interface of this machine uses: 198.18.0.0/15 is the benchmarking range
 * (RFC 2544), which no Docker network here takes; Docker's networks in 172.16/12 and 192.168/16 have
 * MASQUERADE rules that bridged lab traffic would meet (br_netfilter), and break.
 */
async function freeSubnet(): Promise<number> {
  const used = await sh("ip", ["-4", "-o", "addr", "show"]);
  for (;;) {
    const third = 1 + Math.floor(Math.random() * 254);
    if (!used.includes(`198.18.${third}.`)) return third;
  }
}

/** `eventually` for a yes/no check. */
const until = (what: string, ms: number, check: () => Promise<boolean>) =>
  eventually(async () => ((await check()) ? true : undefined), ms, `docker lab: ${what}`);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Starts `count` Docker engines, each as its own machine on a lab link (a bridge in this namespace), and
 * loads `images` into each from the main engine through the Engine API. Names and addresses are unique per
 * lab, so suites running side by side never meet. `close()` undoes everything, whatever failed before.
 */
export async function startDockerLab(
  count: number,
  options: { images?: string[]; netd?: boolean; mainDocker?: Docker } = {},
): Promise<DockerLab> {
  await sweepAbandonedLabs();
  const id = randomBytes(3).toString("hex");
  const bridge = `tnl${id}`;
  const third = await freeSubnet();
  const dir = await mkdtemp(join(tmpdir(), `docker-lab-${id}-p${process.pid}-`));
  const forward = ["FORWARD", "-i", bridge, "-o", bridge, "-j", "ACCEPT"];
  const undo: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const engines: LabEngine[] = [];
  const close = async () => {
    while (undo.length)
      await undo
        .pop()?.()
        .catch(() => undefined);
  };
  try {
    await sh("ip", ["link", "add", bridge, "type", "bridge"]);
    undo.push(() => sh("ip", ["link", "del", bridge]));
    await sh("ip", ["addr", "add", `198.18.${third}.1/24`, "dev", bridge]);
    await sh("ip", ["link", "set", bridge, "up"]);
    await sh("iptables", ["-I", forward[0] as string, "1", ...forward.slice(1)]);
    undo.push(() => sh("iptables", ["-D", ...forward]));
    for (let i = 1; i <= count; i++) {
      const engine = await labEngine({ id, index: i, bridge, third, dir: join(dir, `e${i}`) });
      undo.push(() => engine.destroy());
      engines.push(engine.engine);
    }
    const images = options.images ?? LAB_IMAGES;
    if (images.length) {
      // one archive of every image (GET /images/get?names=…): their common layers travel once
      const main = (options.mainDocker ?? new Docker()) as Docker & {
        getImages(options: { names: string[] }): Promise<NodeJS.ReadableStream>;
      };
      // the main engine is shared: another checkout's test set-up may be re-tagging the seeded images
      // right now, so a tag missing there is waited for, as long as a seeding takes
      for (const engine of engines)
        await until(`${images.join(", ")} loaded from the main engine`, IMAGES_MS, async () => {
          await engine.docker.loadImage(await main.getImages({ names: images }));
          for (const image of images) await engine.docker.getImage(image).inspect();
          return true;
        });
    }
    if (options.netd ?? images.includes(PAUSE_BASE))
      for (const engine of engines) await ensureNetdImage(engine.docker, PAUSE_BASE, recipeVersion());
  } catch (err) {
    await close();
    throw err;
  }
  return { engines, close };
}

/**
 * Removes what labs of processes that died before their `close()` (a killed test run) left: their
 * engines, namespaces, links and FORWARD rules, found by the lab directory that names its process.
 */
async function sweepAbandonedLabs(): Promise<void> {
  for (const name of await readdir(tmpdir())) {
    const m = /^docker-lab-([0-9a-f]{6})-p(\d+)-/.exec(name);
    if (!m || alive(Number(m[2]))) continue;
    const [, id] = m;
    const dir = join(tmpdir(), name);
    const ps = await sh("ps", ["-eo", "pid=,args="]);
    for (const line of ps.split("\n"))
      if (line.includes(`${dir}/`) && /\bdockerd\b/.test(line)) {
        const pid = Number(line.trim().split(/\s+/)[0]);
        if (pid) process.kill(pid, "SIGKILL");
      }
    const netns = (await sh("ip", ["netns", "list"])).split("\n").map((l) => l.split(" ")[0] ?? "");
    for (const ns of netns.filter((n) => n.startsWith(`tnl${id}-`)))
      await sh("ip", ["netns", "del", ns]).catch(() => "");
    await sh("ip", ["link", "del", `tnl${id}`]).catch(() => "");
    await sh("iptables", ["-D", "FORWARD", "-i", `tnl${id}`, "-o", `tnl${id}`, "-j", "ACCEPT"]).catch(
      () => "",
    );
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function labEngine(o: { id: string; index: number; bridge: string; third: number; dir: string }) {
  const netns = `tnl${o.id}-${o.index}`;
  const hostSide = `tnl${o.id}${o.index}h`;
  const nsSide = `tnl${o.id}${o.index}n`;
  const address = `198.18.${o.third}.${10 + o.index}`;
  const socket = join(o.dir, "docker.sock");
  await mkdir(o.dir, { recursive: true });
  await sh("ip", ["netns", "add", netns]);
  const created: (() => Promise<unknown>)[] = [() => sh("ip", ["netns", "del", netns])];
  await sh("ip", ["link", "add", hostSide, "type", "veth", "peer", "name", nsSide]);
  created.push(() => sh("ip", ["link", "del", hostSide]));
  await sh("ip", ["link", "set", hostSide, "master", o.bridge, "up"]);
  await sh("ip", ["link", "set", nsSide, "netns", netns]);
  const inNs = (...args: string[]) => sh("ip", ["-n", netns, ...args]);
  await inNs("addr", "add", `${address}/24`, "dev", nsSide);
  await inNs("link", "set", nsSide, "up");
  await inNs("link", "set", "lo", "up");
  await inNs("route", "add", "default", "via", `198.18.${o.third}.1`);

  const docker = new Docker({ socketPath: socket });
  let child: ChildProcess | undefined;
  let dockerd: number | undefined;
  const daemon = [
    "dockerd",
    `--host unix://${socket}`,
    `--data-root ${join(o.dir, "root")}`,
    `--exec-root ${join(o.dir, "exec")}`,
    `--pidfile ${join(o.dir, "docker.pid")}`,
  ].join(" ");
  const start = async () => {
    // the pid file of a killed engine names pid 1 of its namespace, which dockerd would take for itself
    await rm(join(o.dir, "docker.pid"), { force: true });
    // the exec root is a machine's /run/docker: it does not outlive the machine (a killed engine's would
    // leave containerd restoring tasks whose processes died with it)
    await rm(join(o.dir, "exec"), { recursive: true, force: true });
    // its own mount namespace, with /run/docker its own (libnetwork keeps sandboxes at a fixed path there),
    // and its own PID namespace, whose end takes every process of the engine, containers included
    const spawned = spawn(
      "nsenter",
      [
        `--net=/var/run/netns/${netns}`,
        "unshare",
        "--mount",
        "--pid",
        "--fork",
        "--mount-proc",
        "--propagation",
        "private",
        "sh",
        "-c",
        `mount -t tmpfs none /run/docker && exec ${daemon} >${join(o.dir, "dockerd.log")} 2>&1`,
      ],
      { stdio: "ignore" },
    );
    child = spawned;
    await until("dockerd started", ENGINE_READY_MS, async () => {
      const children = await readFile(`/proc/${spawned.pid}/task/${spawned.pid}/children`, "utf8");
      dockerd = Number(children.trim().split(/\s+/)[0]) || undefined;
      return dockerd !== undefined && (await docker.ping()) !== undefined;
    }).catch(async (err: Error) => {
      const log = await readFile(join(o.dir, "dockerd.log"), "utf8").catch(() => "");
      throw new Error(`${err.message}\n${log.slice(-2000)}`);
    });
  };
  const end = async (signal: NodeJS.Signals) => {
    const pid = dockerd;
    if (pid === undefined) return;
    if (alive(pid)) process.kill(pid, signal);
    await until(`dockerd ${pid} gone after ${signal}`, ENGINE_READY_MS, async () => !alive(pid));
    const spawned = child;
    await until(
      "its namespace's processes gone",
      10_000,
      async () => spawned?.exitCode !== null || spawned?.signalCode !== null,
    );
    dockerd = undefined;
    child = undefined;
  };
  try {
    await start();
  } catch (err) {
    for (const step of created.reverse()) await step().catch(() => undefined);
    throw err;
  }
  const engine: LabEngine = {
    address,
    netns,
    dockerHost: `unix://${socket}`,
    docker,
    kill: () => end("SIGKILL"),
    stop: () => end("SIGTERM"),
    start,
    get running() {
      return dockerd !== undefined;
    },
  };
  return {
    engine,
    async destroy() {
      await end("SIGTERM")
        .catch(() => end("SIGKILL"))
        .finally(async () => {
          for (const step of created.reverse()) await step().catch(() => undefined);
        });
    },
  };
}

/** Registers the lab's engines, in order, as the nodes `names` of a platform, as its admin would. */
export async function registerLabNodes(
  admin: (method: string, path: string, body?: unknown) => Promise<Response>,
  lab: DockerLab,
  names: string[],
): Promise<void> {
  for (const [i, name] of names.entries()) {
    const e = lab.engines[i] as LabEngine;
    const res = await admin("POST", "/v1/nodes", { name, dockerHost: e.dockerHost, address: e.address });
    if (res.status !== 201) throw new Error(`node ${name}: ${res.status} ${await res.text()}`);
  }
}
