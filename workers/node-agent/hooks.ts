import type { Container } from "../../core/k8s/types";
import { resolvePort } from "./prober";
import type { PodRuntime } from "./runtime";

/** A lifecycle handler (postStart, preStop): exec, httpGet or sleep. */
export interface LifecycleHandler {
  exec?: { command: string[] };
  httpGet?: { path?: string; port: number | string; scheme?: string; host?: string };
  sleep?: { seconds: number };
}

export function hookOf(
  container: Container | undefined,
  which: "postStart" | "preStop",
): LifecycleHandler | undefined {
  return (container as { lifecycle?: Record<string, LifecycleHandler> } | undefined)?.lifecycle?.[which];
}

/**
 * Runs a hook against a running container, as the kubelet does: exec inside it, an HTTP GET from the node
 * to the pod, or a sleep. Resolves with the failure as the kubelet words it, or undefined on success.
 */
export async function runHook(
  runtime: PodRuntime,
  container: Container,
  containerId: string,
  handler: LifecycleHandler,
  podIP: string | undefined,
  timeoutMs: number,
): Promise<string | undefined> {
  const timeout = <T>(p: Promise<T>, fallback: T) =>
    Promise.race([p, new Promise<T>((resolve) => setTimeout(() => resolve(fallback), timeoutMs))]);
  try {
    if (handler.exec) {
      const session = await runtime.exec(containerId, {
        command: handler.exec.command,
        stdin: false,
        tty: false,
      });
      let output = "";
      for (const stream of [session.stdout, session.stderr]) stream.on("data", (c: Buffer) => (output += c));
      const code = await timeout(session.exitCode(), -1);
      if (code === 0) return undefined;
      return code === -1
        ? `command '${handler.exec.command.join(" ")}' timed out`
        : `command '${handler.exec.command.join(" ")}' exited with ${code}: ${output.trim()}`;
    }
    if (handler.httpGet) {
      const host = handler.httpGet.host ?? podIP;
      if (!host) return "the pod has no IP yet";
      const port = resolvePort(container, handler.httpGet.port);
      const scheme = (handler.httpGet.scheme ?? "HTTP").toLowerCase();
      const res = await fetch(`${scheme}://${host}:${port}${handler.httpGet.path ?? "/"}`, {
        signal: AbortSignal.timeout(timeoutMs),
        redirect: "manual",
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.status >= 200 && res.status < 400
        ? undefined
        : `HTTP lifecycle hook failed with status ${res.status}`;
    }
    if (handler.sleep) {
      await timeout(
        new Promise((r) => setTimeout(r, handler.sleep?.seconds ? handler.sleep.seconds * 1000 : 0)),
        undefined,
      );
    }
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
