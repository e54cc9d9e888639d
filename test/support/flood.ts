import { spawn } from "node:child_process";

/** What one request of a flood got back. */
export interface FloodAnswer {
  status: number;
  retryAfter: string | null;
  body: { reason?: string; details?: unknown };
}

const SCRIPT = `
const answers = [];
const until = Date.now() + Number(process.env.FLOOD_MS);
Promise.all(Array.from({ length: Number(process.env.FLOOD_LOOPS) }, async () => {
  while (Date.now() < until) {
    const r = await fetch(process.env.FLOOD_URL, { headers: { authorization: "Bearer " + process.env.FLOOD_TOKEN } });
    answers.push({ status: r.status, retryAfter: r.headers.get("retry-after"), body: await r.json() });
  }
})).then(() => process.stdout.write(JSON.stringify(answers)));
`;

/**
 * A hostile client: `loops` requests at a time to `url`, each sent as soon as the last is answered, for
 * `ms`, from a process of its own (as a student's script would be, not on the API's event loop).
 */
export function flood(
  url: string,
  token: string,
  options: { loops: number; ms: number },
): Promise<FloodAnswer[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", SCRIPT], {
      env: {
        ...process.env,
        FLOOD_URL: url,
        FLOOD_TOKEN: token,
        FLOOD_LOOPS: String(options.loops),
        FLOOD_MS: String(options.ms),
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c;
    });
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`flood exited ${code}`)),
    );
  });
}
