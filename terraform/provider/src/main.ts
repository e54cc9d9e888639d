import { Server, ServerCredentials } from "@grpc/grpc-js";
import { handshakeLine, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, serverCert } from "./handshake";
import { loadServices } from "./protocol";
import { providerService } from "./server";

/**
 * terraform-provider-timonier: started by Terraform (go-plugin), it serves tfplugin6 over gRPC with mutual
 * TLS on a local port, announces it on stdout, and exits when Terraform's GRPCController says Shutdown.
 */
async function main(): Promise<void> {
  if (process.env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    process.stderr.write(
      "This binary is a plugin: Terraform runs it. Install it as described in terraform/provider/README.md.\n",
    );
    process.exit(1);
  }
  const clientCert = process.env.PLUGIN_CLIENT_CERT;
  if (!clientCert) {
    process.stderr.write("PLUGIN_CLIENT_CERT is unset: Terraform's AutoMTLS is required.\n");
    process.exit(1);
  }
  const { cert, key, der } = serverCert();
  const services = loadServices();
  const server = new Server();
  server.addService(services.provider, providerService(process.env));
  server.addService(services.controller, {
    Shutdown: (_call: unknown, callback: (error: null, response: object) => void) => {
      callback(null, {});
      setImmediate(() => server.tryShutdown(() => process.exit(0)));
    },
  });
  const credentials = ServerCredentials.createSsl(
    Buffer.from(clientCert),
    [{ cert_chain: Buffer.from(cert), private_key: Buffer.from(key) }],
    true,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  process.stdout.write(`${handshakeLine(port, der)}\n`);
}

main().catch((failure: unknown) => {
  process.stderr.write(
    `terraform-provider-timonier: ${failure instanceof Error ? failure.stack : String(failure)}\n`,
  );
  process.exit(1);
});
