import type Docker from "dockerode";
import type { ObjectRef } from "../../core/objects";
import type { NodeDeps } from "./node-context";
import { LABEL } from "./runtime";

/** The pod a line of Docker's event stream is about, by its container's labels; undefined for any other line. */
export function podOfEvent(line: string): ObjectRef | undefined {
  try {
    const labels =
      (JSON.parse(line) as { Actor?: { Attributes?: Record<string, string> } }).Actor?.Attributes ?? {};
    const ref = {
      clusterId: labels[LABEL.cluster] ?? "",
      namespace: labels[LABEL.namespace] ?? "",
      name: labels[LABEL.pod] ?? "",
    };
    return ref.clusterId && ref.name ? ref : undefined;
  } catch {
    // a partial or foreign event line: the relist covers it
    return undefined;
  }
}

/** Splits what a stream sent so far into whole lines and the partial line left over. */
export function splitLines(buffered: string): { lines: string[]; rest: string } {
  const lines = buffered.split("\n");
  const rest = lines.pop() ?? "";
  return { lines, rest };
}

/**
 * Docker's container events on this node: an exit, an OOM kill or a start wakes the pod's sync at once
 * instead of at the next relist. The stream is opened again when Docker ends it or drops it, every
 * second until the engine answers again (a restarted engine, an engine away for a while).
 */
export class ContainerEvents {
  private stream: NodeJS.ReadableStream | undefined;
  private stopped = false;
  private reopening = false;

  constructor(
    private readonly d: Pick<NodeDeps, "nodeName" | "wakePod">,
    private readonly docker: Pick<Docker, "getEvents">,
    private readonly reopenMs = 1000,
  ) {}

  start(): Promise<void> {
    return this.open();
  }

  private async open(): Promise<void> {
    const stream = await this.docker.getEvents({
      filters: {
        type: ["container"],
        event: ["die", "oom", "start"],
        label: [`${LABEL.node}=${this.d.nodeName}`],
      },
    });
    this.stream = stream;
    let buffered = "";
    stream.on("data", (chunk: Buffer) => {
      const { lines, rest } = splitLines(buffered + chunk.toString());
      buffered = rest;
      for (const line of lines) {
        const ref = podOfEvent(line);
        if (ref) void this.d.wakePod(ref);
      }
    });
    stream.on("end", () => this.reopenLater());
    stream.on("error", () => this.reopenLater());
  }

  private reopenLater(): void {
    if (this.stopped || this.reopening) return;
    this.reopening = true;
    setTimeout(() => {
      this.reopening = false;
      if (!this.stopped) void this.open().catch(() => this.reopenLater());
    }, this.reopenMs);
  }

  stop(): void {
    this.stopped = true;
    (this.stream as unknown as { destroy?: () => void } | undefined)?.destroy?.();
  }
}
