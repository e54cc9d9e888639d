import { describe, expect, it } from "vitest";
import {
  type AgentRequest,
  agentPath,
  agentQuery,
  agentUrl,
  parseAgentPath,
  parseLogQuery,
  parseStreamQuery,
} from "./requests";

const CLUSTER_A = "0b6f7c3e-3c8e-4d7e-9a43-6f2f3d1c9a01";
const CLUSTER_B = "5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";
const POD = "c0ffee00-1234-4abc-9def-0123456789ab";
const exec: AgentRequest = { cluster: CLUSTER_A, pod: POD, verb: "exec", target: "nginx" };
const EVERY_VERB: AgentRequest[] = [
  exec,
  { ...exec, verb: "attach" },
  { ...exec, verb: "logs" },
  { cluster: CLUSTER_A, pod: POD, verb: "portforward", target: "8080" },
];

/** A client's query, read as the API reads it: every value of a key. */
const from = (search: string) => {
  const params = new URLSearchParams(search);
  return (key: string) => params.getAll(key);
};

describe("agent paths", () => {
  it("round-trip every verb", () => {
    for (const request of EVERY_VERB) {
      expect(parseAgentPath(agentPath(request))).toEqual(request);
    }
    expect(agentPath(exec)).toBe(`/pods/${CLUSTER_A}/${POD}/containers/nginx/exec`);
    expect(agentPath({ ...exec, verb: "portforward", target: "80" })).toBe(
      `/pods/${CLUSTER_A}/${POD}/portforward/80`,
    );
  });

  it("refuse to build a URL from a part that could change its meaning", () => {
    const injected = `1/../../../../${CLUSTER_B}/${POD}/containers/nginx/exec?command=id`;
    for (const bad of [
      { cluster: CLUSTER_A, pod: POD, verb: "portforward" as const, target: injected },
      { cluster: CLUSTER_A, pod: POD, verb: "portforward" as const, target: "0" },
      { cluster: CLUSTER_A, pod: POD, verb: "portforward" as const, target: "65536" },
      { cluster: CLUSTER_A, pod: POD, verb: "portforward" as const, target: "080" },
      { ...exec, target: ".." },
      { ...exec, target: "a/b" },
      { ...exec, cluster: ".." },
      { ...exec, pod: `${POD}/..` },
      { ...exec, verb: "delete" as unknown as "exec" },
    ]) {
      expect(() => agentPath(bad)).toThrow(/refusing to build an agent URL/);
      expect(() => agentUrl("http://agent:10250", bad)).toThrow(/refusing to build an agent URL/);
    }
  });

  it("parse only the agent's own shapes", () => {
    for (const path of [
      "/",
      "",
      "pods",
      `pods/${CLUSTER_A}/${POD}/containers/nginx/exec`,
      `/pods/${CLUSTER_A}/${POD}/containers/nginx`,
      `/pods/${CLUSTER_A}/${POD}/containers/nginx/exec/more`,
      `/pods/${CLUSTER_A}/${POD}/containers/nginx/exec/`,
      `/pods/${CLUSTER_A}/${POD}/containers/nginx/portforward`,
      `/pods/${CLUSTER_A}/${POD}/containers/nginx/delete`,
      `/pods/${CLUSTER_A}/${POD}/portforward/0`,
      `/pods/${CLUSTER_A}/${POD}/portforward/80/exec`,
      `/pods/${CLUSTER_A}/${POD}/portforward/1%2F..`,
      `/pods/${CLUSTER_A}/${POD}/containers/%E0%A4%A/exec`,
      `/pods/${CLUSTER_A}/${POD}/containers/%2E%2E/exec`,
      `/pods/not-a-uid/${POD}/containers/nginx/exec`,
      `/pods/${CLUSTER_A}/${POD}%2F..%2F${POD}/containers/nginx/exec`,
      `/nodes/${CLUSTER_A}/${POD}/containers/nginx/exec`,
    ]) {
      expect(parseAgentPath(path), path).toBeUndefined();
    }
  });
});

describe("agent URLs", () => {
  it("serve logs over HTTP and the streams over WebSocket, below the agent's base", () => {
    const schemes = EVERY_VERB.map((r) => agentUrl("http://10.0.0.7:10250/", r).protocol);
    expect(schemes).toEqual(["ws:", "ws:", "http:", "ws:"]);
    expect(agentUrl("https://agent", exec).protocol).toBe("wss:");
    for (const request of EVERY_VERB) {
      expect(parseAgentPath(agentUrl("http://10.0.0.7:10250//", request).pathname)).toEqual(request);
    }
  });

  it("carry the exec parameters the client sent, every value, in order, and nothing else", () => {
    const client = from("command=sh&command=-c&command=echo a%26b&stdin=true&tty=false&stdout=true&x=1");
    const url = agentUrl("http://agent", exec, agentQuery("exec", client));
    expect(url.search).toBe("?command=sh&command=-c&command=echo+a%26b&stdin=true&stdout=true&tty=false");
    expect(parseStreamQuery(url.searchParams)).toEqual({
      command: ["sh", "-c", "echo a&b"],
      stdin: true,
      tty: false,
    });
    expect(parseStreamQuery(new URLSearchParams("stdin=1&tty=TRUE"))).toEqual({
      command: [],
      stdin: false,
      tty: false,
    });
  });

  it("carry the logs parameters the client sent, their first value only", () => {
    const client = from(
      "follow=true&tailLines=10&tailLines=20&previous=false&sinceTime=2026-01-01T00:00:00Z&x=1",
    );
    const url = agentUrl("http://agent", { ...exec, verb: "logs" }, agentQuery("logs", client));
    expect([...url.searchParams]).toEqual([
      ["follow", "true"],
      ["tailLines", "10"],
      ["previous", "false"],
      ["sinceTime", "2026-01-01T00:00:00Z"],
    ]);
    expect(parseLogQuery(url.searchParams)).toEqual({
      follow: true,
      previous: false,
      timestamps: false,
      tailLines: 10,
    });
    expect(parseLogQuery(new URLSearchParams("sinceSeconds=&limitBytes=x&timestamps=true"))).toEqual({
      follow: false,
      previous: false,
      timestamps: true,
      limitBytes: Number.NaN,
    });
  });

  it("carry no query for a port-forward, nor an empty one", () => {
    const forward: AgentRequest = { cluster: CLUSTER_A, pod: POD, verb: "portforward", target: "80" };
    expect(agentUrl("http://agent", forward, agentQuery("portforward", from("command=id"))).search).toBe("");
    expect(agentUrl("http://agent", exec, agentQuery("exec", from(""))).href).not.toContain("?");
  });
});
