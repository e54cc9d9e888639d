import type Docker from "dockerode";
import { leaveSwarm } from "../swarm";
import { LABEL } from "./runtime";

/**
 * What a node removed from the platform leaves on its engine, taken away: every container the platform made
 * there (pods left behind, the clusters' netds, the gateway), its bridge networks and the API relay volume;
 * the engine then leaves the platform's Swarm. The engine's other containers are not touched.
 */
export async function retireEngine(docker: Docker, nodeName: string): Promise<void> {
  const mine = { label: [`${LABEL.node}=${nodeName}`] };
  for (const c of await docker.listContainers({ all: true, filters: mine }))
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
  for (const n of await docker.listNetworks({ filters: mine }))
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => undefined);
  const { Volumes } = await docker.listVolumes({ filters: mine });
  for (const v of Volumes ?? [])
    await docker
      .getVolume(v.Name)
      .remove()
      .catch(() => undefined);
  await leaveSwarm(docker);
}
