import { describe, expect, it } from "vitest";
import { podOfEvent, splitLines } from "./container-events";
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
