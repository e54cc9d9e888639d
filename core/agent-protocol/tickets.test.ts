import { describe, expect, it } from "vitest";
import { type AgentRequest, agentPath } from "./requests";
import {
  agentTicketKey,
  authorizeAgentRequest,
  issueAgentTicket,
  signedAgentRequest,
  verifyAgentTicket,
} from "./tickets";

const NOW = new Date("2026-11-22T10:00:00Z");
const KEY = agentTicketKey("s3cret-s3cret-s3cret");
const CLUSTER_A = "0b6f7c3e-3c8e-4d7e-9a43-6f2f3d1c9a01";
const CLUSTER_B = "5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";
const POD = "c0ffee00-1234-4abc-9def-0123456789ab";
const exec: AgentRequest = { cluster: CLUSTER_A, pod: POD, verb: "exec", target: "nginx" };

describe("agent tickets", () => {
  const ticket = issueAgentTicket(KEY, exec, NOW);

  it("let the agent serve exactly the request they were signed for, for about a minute", () => {
    expect(verifyAgentTicket(KEY, ticket, exec, NOW)).toEqual({ ok: true });
    expect(verifyAgentTicket(KEY, ticket, exec, new Date(NOW.getTime() + 59_000))).toEqual({ ok: true });
    expect(verifyAgentTicket(KEY, ticket, exec, new Date(NOW.getTime() + 60_000))).toMatchObject({
      ok: false,
      status: 401,
      reason: "expired ticket",
    });
  });

  it("are refused when forged, altered or signed with another key", () => {
    const other = issueAgentTicket(agentTicketKey("another-secret-entirely"), exec, NOW);
    expect(verifyAgentTicket(KEY, other, exec, NOW)).toMatchObject({ ok: false, status: 401 });
    const [payload, signature] = ticket.split(".") as [string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const widened = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 86_400 })).toString(
      "base64url",
    );
    expect(verifyAgentTicket(KEY, `${widened}.${signature}`, exec, NOW)).toMatchObject({ status: 401 });
    for (const junk of ["", "x", "a.b.c", `${payload}.`, `.${signature}`, "Bearer", "\u0000.\u0000"])
      expect(verifyAgentTicket(KEY, junk, exec, NOW)).toMatchObject({ ok: false, status: 401 });
    // the raw token secret is not the key: the derivation label keeps tickets apart from other tokens
    const rawKeyTicket = issueAgentTicket("s3cret-s3cret-s3cret", exec, NOW);
    expect(verifyAgentTicket(KEY, rawKeyTicket, exec, NOW)).toMatchObject({ status: 401 });
  });

  it("are refused with 403 for another cluster, pod, container or verb", () => {
    for (const other of [
      { ...exec, cluster: CLUSTER_B },
      { ...exec, pod: CLUSTER_B },
      { ...exec, target: "sidecar" },
      { ...exec, verb: "attach" as const },
      { ...exec, verb: "logs" as const },
      { cluster: CLUSTER_A, pod: POD, verb: "portforward" as const, target: "80" },
    ]) {
      expect(verifyAgentTicket(KEY, ticket, other, NOW)).toMatchObject({ ok: false, status: 403 });
    }
  });
});

describe("an agent's check of a request", () => {
  const path = agentPath(exec);
  const bearer = `Bearer ${issueAgentTicket(KEY, exec, NOW)}`;

  it("accepts the request the ticket is for, and returns what the path names", () => {
    expect(authorizeAgentRequest(KEY, bearer, path, NOW)).toEqual({ ok: true, request: exec });
  });

  it("refuses a missing ticket, a path it does not serve, and another cluster's path", () => {
    expect(authorizeAgentRequest(KEY, undefined, path, NOW)).toMatchObject({ status: 401 });
    expect(authorizeAgentRequest(KEY, "Basic x", path, NOW)).toMatchObject({ status: 401 });
    expect(authorizeAgentRequest(KEY, bearer, `${path}/../../x`, NOW)).toMatchObject({ status: 404 });
    const otherCluster = agentPath({ ...exec, cluster: CLUSTER_B });
    expect(authorizeAgentRequest(KEY, bearer, otherCluster, NOW)).toMatchObject({ status: 403 });
    const portForward = agentPath({ ...exec, verb: "portforward", target: "22" });
    expect(authorizeAgentRequest(KEY, bearer, portForward, NOW)).toMatchObject({ status: 403 });
  });
});

describe("the API's signed request", () => {
  it("is what the agent serves: its path and ticket pass the agent's check, for a minute", () => {
    for (const request of [
      exec,
      { ...exec, verb: "logs" as const },
      { cluster: CLUSTER_A, pod: POD, verb: "portforward" as const, target: "8080" },
    ]) {
      const { url, headers } = signedAgentRequest(KEY, "http://10.0.0.7:10250", request, NOW);
      expect(headers.authorization).toMatch(/^Bearer \S+$/);
      expect(authorizeAgentRequest(KEY, headers.authorization, url.pathname, NOW)).toEqual({
        ok: true,
        request,
      });
      const later = new Date(NOW.getTime() + 60_000);
      expect(authorizeAgentRequest(KEY, headers.authorization, url.pathname, later)).toMatchObject({
        status: 401,
      });
    }
  });
});
