import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dockerFromHost } from "./docker-runtime";

interface Modem {
  socketPath?: string;
  protocol?: string;
  host?: string;
  port?: number;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}
const modem = (docker: unknown) => (docker as { modem: Modem }).modem;

describe("dockerFromHost", () => {
  it("reaches a local engine through its socket and a remote one over TCP", () => {
    expect(modem(dockerFromHost("unix:///run/docker.sock")).socketPath).toBe("/run/docker.sock");
    expect(modem(dockerFromHost("tcp://10.0.0.5:2375"))).toMatchObject({ host: "10.0.0.5", port: 2375 });
  });

  it("speaks TLS with the client certificate of DOCKER_CERT_PATH, on 2376 by default", () => {
    const dir = mkdtempSync(join(tmpdir(), "docker-tls-"));
    for (const name of ["ca.pem", "cert.pem", "key.pem"]) writeFileSync(join(dir, name), `${name} contents`);
    const m = modem(dockerFromHost("tcp://node-1.example.org", dir));
    expect(m).toMatchObject({ protocol: "https", host: "node-1.example.org", port: 2376 });
    expect(String(m.ca)).toBe("ca.pem contents");
    expect(String(m.cert)).toBe("cert.pem contents");
    expect(String(m.key)).toBe("key.pem contents");
  });
});
