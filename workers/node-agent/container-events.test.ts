import { PassThrough } from "node:stream";
import type Docker from "dockerode";
import { describe, expect, it, vi } from "vitest";
import type { ObjectRef } from "../../core/objects";
import { ContainerEvents, podOfEvent, splitLines } from "./container-events";
import { LABEL } from "./runtime";

describe("podOfEvent", () => {
  it("names the pod of a container event by its labels", () => {
    const attributes = { [LABEL.cluster]: "c1", [LABEL.namespace]: "default", [LABEL.pod]: "web", name: "x" };
    const line = JSON.stringify({ Type: "container", Action: "die", Actor: { Attributes: attributes } });
    expect(podOfEvent(line)).toEqual({ clusterId: "c1", namespace: "default", name: "web" });
  });

  it("ignores a container of no pod, a partial line and a foreign one", () => {
    const helper = JSON.stringify({ Actor: { Attributes: { [LABEL.cluster]: "c1" } } });
    expect(podOfEvent(helper)).toBeUndefined();
    expect(podOfEvent('{"Actor": {"Attri')).toBeUndefined();
    expect(podOfEvent("null")).toBeUndefined();
  });
});

describe("splitLines", () => {
  it("keeps a partial line for the next chunk", () => {
    expect(splitLines('{"a":1}\n{"b"')).toEqual({ lines: ['{"a":1}'], rest: '{"b"' });
    expect(splitLines("one\ntwo\n")).toEqual({ lines: ["one", "two"], rest: "" });
    expect(splitLines("")).toEqual({ lines: [], rest: "" });
  });
});

describe("ContainerEvents", () => {
  it("opens the stream again after Docker drops it, retrying until the engine answers", async () => {
    const streams: PassThrough[] = [];
    let calls = 0;
    const docker = {
      getEvents: async () => {
        calls++;
        // the engine is away for the second and third attempts
        if (calls === 2 || calls === 3) throw new Error("connect ENOENT /var/run/docker.sock");
        const stream = new PassThrough();
        streams.push(stream);
        return stream;
      },
    };
    const woken: ObjectRef[] = [];
    const events = new ContainerEvents(
      { nodeName: "n1", wakePod: async (ref) => void woken.push(ref) },
      docker as unknown as Pick<Docker, "getEvents">,
      5,
    );
    await events.start();
    streams[0]?.destroy(new Error("socket hang up"));
    await vi.waitFor(() => expect(streams).toHaveLength(2));
    expect(calls).toBe(4);
    const line = JSON.stringify({
      Actor: { Attributes: { [LABEL.cluster]: "c1", [LABEL.namespace]: "ns", [LABEL.pod]: "web" } },
    });
    streams[1]?.write(`${line}\n`);
    await vi.waitFor(() => expect(woken).toEqual([{ clusterId: "c1", namespace: "ns", name: "web" }]));
    events.stop();
  });
});
