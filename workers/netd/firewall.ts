import { spawn } from "node:child_process";

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
