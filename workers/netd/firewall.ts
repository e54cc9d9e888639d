import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Loads an nftables ruleset into the kernel of the network namespace netd runs in (the host's, for the gateway). */
export function loadRuleset(ruleset: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const nft = spawn("nft", ["-f", "-"], { stdio: ["pipe", "ignore", "pipe"] });
    let errors = "";
    nft.stderr.on("data", (d) => (errors += d));
    nft.on("error", reject);
    nft.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`nft: ${errors.trim()}`))));
    nft.stdin.end(ruleset);
  });
}

/** The table a ruleset from firewallRuleset replaces. */
export const tableOf = (ruleset: string) => /^table inet (\S+) \{\}/.exec(ruleset)?.[1];

/**
 * Deletes the tables that gateways of other nodes, since removed, left on this host: those whose bridges
 * are all gone. A live node's table without clusters goes too, and comes back with its next reload.
 */
export async function sweepTables(own: string, prefix: string): Promise<string[]> {
  const { stdout } = await run("nft", ["list", "tables"]);
  const swept: string[] = [];
  for (const [, table] of stdout.matchAll(/^table inet (\S+)$/gm)) {
    if (!table || table === own || !table.startsWith(prefix)) continue;
    const { stdout: rules } = await run("nft", ["list", "table", "inet", table]);
    const bridges = [...rules.matchAll(/"(br-[0-9a-zA-Z_-]+)"/g)].map((m) => m[1]);
    if (bridges.some((b) => existsSync(`/sys/class/net/${b}`))) continue;
    await run("nft", ["delete", "table", "inet", table]);
    swept.push(table);
  }
  return swept;
}
