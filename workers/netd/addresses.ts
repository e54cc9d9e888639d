import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The /32 addresses this container added to its interface (its own address is not one of them). */
async function held(device: string): Promise<string[]> {
  const { stdout } = await run("ip", ["-4", "-o", "addr", "show", "dev", device]);
  return [...stdout.matchAll(/inet (\d+\.\d+\.\d+\.\d+)\/32/g)].map((m) => m[1] as string);
}

/**
 * Holds exactly `wanted` as extra addresses of the container's interface. The kernel then answers ARP for
 * them, so pods on the cluster's bridge reach a ClusterIP here without any rule on the host.
 */
export async function holdAddresses(wanted: string[], device = "eth0"): Promise<void> {
  const current = await held(device);
  for (const ip of wanted.filter((a) => !current.includes(a)))
    await run("ip", ["addr", "add", `${ip}/32`, "dev", device]);
  for (const ip of current.filter((a) => !wanted.includes(a)))
    await run("ip", ["addr", "del", `${ip}/32`, "dev", device]);
}
