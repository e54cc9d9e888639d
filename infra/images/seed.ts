import { dockerCertPath } from "../../core/config";
import { dockerFromHost } from "../../workers/node-agent/docker-runtime";
import { ensureImages } from "./build";

/**
 * Seeds the offline images (pause, netd, busybox, alpine, nginx, perl, redis) into the Docker engine of
 * DOCKER_HOST (with DOCKER_CERT_PATH for a remote one over TLS): what every node needs before its agent
 * starts pods. Builds the Debian rootfs here, with debootstrap, once per recipe version.
 */
const dockerHost = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
await ensureImages({
  docker: dockerFromHost(dockerHost, dockerCertPath(process.env)),
  dataDir: process.env.TIMONIER_DATA_DIR ?? ".timonier",
});
process.stdout.write(`images seeded on ${dockerHost}\n`);
