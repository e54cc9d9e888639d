import type Docker from "dockerode";

/**
 * The baseline of the benches: `count` containers of `image` created and started at once through the same
 * Engine API (each on a network of its own with a /24, as each cluster has, when `networks`); returns the
 * milliseconds that took, then removes them.
 */
export async function rawRuns(
  docker: Docker,
  o: { count: number; image: string; networks?: boolean },
): Promise<number> {
  const start = performance.now();
  const made = await Promise.all(
    Array.from({ length: o.count }, async (_, i) => {
      // a subnet of its own: Docker's default pools run out after a few dozen networks
      const network = o.networks
        ? await docker.createNetwork({
            Name: `timonier-bench-${i}`,
            Labels: { "io.timonier.bench": "1" },
            IPAM: { Config: [{ Subnet: `10.251.${i % 256}.0/24` }] },
          })
        : undefined;
      const c = await docker.createContainer({
        Image: o.image,
        Labels: { "io.timonier.bench": "1" },
        ...(network ? { HostConfig: { NetworkMode: `timonier-bench-${i}` } } : {}),
      });
      await c.start();
      return { c, network };
    }),
  );
  const elapsed = performance.now() - start;
  for (const { c, network } of made) {
    await c.remove({ force: true });
    await network?.remove();
  }
  return elapsed;
}
