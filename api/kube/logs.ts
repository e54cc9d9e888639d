import type { Context } from "hono";
import { agentQuery } from "../../core/agent-protocol";
import { kubeErrors } from "../../core/k8s/errors";
import { allContainerStatuses } from "../../core/k8s/pods";
import type { AppEnv } from "../env";
import { agentRequest } from "./agent-request";
import { podContainer } from "./pod-container";
import type { RequestInfo } from "./request-info";

/**
 * `pods/{name}/log`: checks the container as kube-apiserver does, then streams the node agent's answer —
 * the API never talks to Docker itself, as kube-apiserver never talks to the container runtime.
 */
export async function podLogs(c: Context<AppEnv>, info: RequestInfo) {
  const { deps, cluster } = c.var;
  const name = info.name as string;
  const { pod, container } = await podContainer(
    deps,
    { clusterId: cluster.id, namespace: info.namespace, name },
    c.req.query("container"),
    { includeInit: true },
  );
  const status = allContainerStatuses(pod).find((s) => s.name === container);
  const started = status && (status.state.running || status.state.terminated || status.lastState.terminated);
  const node = pod.spec.nodeName ? await deps.nodes.get(pod.spec.nodeName) : undefined;
  if (!started || !node?.agentUrl) {
    const reason = status?.state.waiting?.reason ?? "ContainerCreating";
    throw kubeErrors.badRequest(`container "${container}" in pod "${name}" is waiting to start: ${reason}`);
  }
  const { url, headers } = agentRequest(
    deps,
    node.agentUrl,
    { cluster: cluster.id, pod: pod.metadata.uid ?? "", verb: "logs", target: container },
    agentQuery("logs", (key) => c.req.queries(key)),
  );
  const abort = new AbortController();
  c.req.raw.signal.addEventListener("abort", () => abort.abort());
  const upstream = await fetch(url, { headers, signal: abort.signal }).catch(() => {
    throw kubeErrors.internal(`the node agent of ${node.name} did not answer`);
  });
  if (!upstream.ok) {
    const text = await upstream.text();
    throw kubeErrors.badRequest(text || `the node agent answered ${upstream.status}`);
  }
  return new Response(quietly(upstream.body), {
    status: 200,
    headers: { "content-type": "text/plain", "cache-control": "no-cache, private" },
  });
}

/** The agent's stream, ended quietly when the client leaves (which aborts it) instead of erroring. */
function quietly(body: ReadableStream<Uint8Array> | null): ReadableStream<Uint8Array> | null {
  if (!body) return null;
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch {
        try {
          controller.close();
        } catch {
          // already cancelled by the client
        }
      }
    },
    cancel(reason) {
      return reader.cancel(reason).catch(() => undefined);
    },
  });
}
