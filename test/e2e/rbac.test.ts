import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

describe("RBAC through the real kubectl", () => {
  let platform: TestPlatform;
  let kubeconfig: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    kubeconfig = (await platform.createCluster("rbac")).kubeconfig;
  });
  afterAll(async () => {
    await platform?.close();
  });

  const k = (...args: string[]) => kubectl(kubeconfig, args);
  const bot = "--as=system:serviceaccount:team:bot";

  it("starts with kubeadm's admin user and the default cluster roles", async () => {
    expect((await k("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}")).stdout).toBe(
      "kubernetes-admin",
    );
    expect((await k("auth", "can-i", "delete", "nodes")).stdout).toBe("yes\n");
    const roles = (await k("get", "clusterroles", "-o", "name")).stdout.split("\n").filter(Boolean);
    expect(roles).toEqual(
      expect.arrayContaining([
        "clusterrole.rbac.authorization.k8s.io/cluster-admin",
        "clusterrole.rbac.authorization.k8s.io/view",
      ]),
    );
  });

  it("grants a service account what a Role and a RoleBinding say, checked with --as", async () => {
    await k("create", "namespace", "team");
    await k("create", "serviceaccount", "bot", "-n", "team");
    expect(
      (await k("create", "role", "pod-reader", "-n", "team", "--verb=get,list,watch", "--resource=pods"))
        .code,
    ).toBe(0);
    expect(
      (
        await k(
          "create",
          "rolebinding",
          "bot-reads",
          "-n",
          "team",
          "--role=pod-reader",
          "--serviceaccount=team:bot",
        )
      ).stdout,
    ).toBe("rolebinding.rbac.authorization.k8s.io/bot-reads created\n");
    expect(
      (await k("get", "rolebinding", "bot-reads", "-n", "team", "-o", "wide", "--no-headers")).stdout,
    ).toMatch(/^bot-reads\s+Role\/pod-reader\s+\S+\s+team\/bot\s*$/);

    expect((await k("auth", "can-i", "list", "pods", "-n", "team", bot)).stdout).toBe("yes\n");
    const no = await k("auth", "can-i", "delete", "pods", "-n", "team", bot);
    expect(no.stdout).toBe("no\n");
    expect(no.code).toBe(1);
    expect((await k("auth", "can-i", "list", "pods", "-n", "default", bot)).stdout).toBe("no\n");

    expect((await k("get", "pods", "-n", "team", bot)).stderr).toBe(
      "No resources found in team namespace.\n",
    );
    const refused = await k("get", "secrets", "-n", "team", bot);
    expect(refused.stderr).toContain(
      'secrets is forbidden: User "system:serviceaccount:team:bot" cannot list resource "secrets" in API group "" in the namespace "team"',
    );
    const create = await k("create", "deployment", "web", "--image=nginx", "-n", "team", bot);
    expect(create.stderr).toContain('cannot create resource "deployments" in API group "apps"');
    expect((await k("get", "deployments", "-n", "team")).stdout).toBe("");

    const list = (await k("auth", "can-i", "--list", "-n", "team", bot)).stdout;
    expect(list).toMatch(/^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
  });

  it("binds a default ClusterRole in a namespace, and refuses a bad binding", async () => {
    await k(
      "create",
      "rolebinding",
      "bot-views",
      "-n",
      "team",
      "--clusterrole=view",
      "--serviceaccount=team:bot",
    );
    expect((await k("auth", "can-i", "list", "deployments.apps", "-n", "team", bot)).stdout).toBe("yes\n");
    expect((await k("auth", "can-i", "get", "secrets", "-n", "team", bot)).stdout).toBe("no\n");
    const bad = await kubectl(kubeconfig, ["apply", "-f", "-"], {
      input:
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: empty, namespace: team}\nrules:\n- apiGroups: ['']\n  resources: [pods]\n  verbs: []\n",
    });
    expect(bad.stderr).toContain("rules[0].verbs: Required value: verbs must contain at least one value");
    const changed = await k(
      "patch",
      "rolebinding",
      "bot-views",
      "-n",
      "team",
      "--type=merge",
      "-p",
      '{"roleRef":{"name":"edit"}}',
    );
    expect(changed.stderr).toContain("cannot change roleRef");
  });

  it("checks exec like any other request of an impersonated user", async () => {
    await k("run", "shell", "-n", "team", "--image=busybox", "--", "sleep", "300");
    expect((await k("wait", "pod/shell", "-n", "team", "--for=condition=Ready", "--timeout=60s")).code).toBe(
      0,
    );
    const refused = await k("exec", "shell", "-n", "team", bot, "--", "echo", "in");
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(
      /User "system:serviceaccount:team:bot" cannot (get|create) resource "pods\/exec" in API group "" in the namespace "team"/,
    );
    await k("create", "role", "shell-user", "-n", "team", "--verb=get,create", "--resource=pods/exec");
    await k(
      "create",
      "rolebinding",
      "bot-shell",
      "-n",
      "team",
      "--role=shell-user",
      "--serviceaccount=team:bot",
    );
    expect((await k("exec", "shell", "-n", "team", bot, "--", "echo", "in")).stdout).toBe("in\n");
  });

  it("authenticates the tokens of `kubectl create token` as their account, with what RBAC grants it", async () => {
    const token = (await k("create", "token", "bot", "-n", "team")).stdout.trim();
    expect(token.split(".")).toHaveLength(3);
    const asBot = (...args: string[]) => k(`--token=${token}`, ...args);
    expect((await asBot("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}")).stdout).toBe(
      "system:serviceaccount:team:bot",
    );
    expect((await asBot("get", "pods", "-n", "team", "-o", "name")).stdout).toBe("pod/shell\n");
    expect((await asBot("get", "secrets", "-n", "team")).stderr).toContain(
      'User "system:serviceaccount:team:bot" cannot list resource "secrets" in API group "" in the namespace "team"',
    );
    expect((await asBot("exec", "shell", "-n", "team", "--", "echo", "in")).stdout).toBe("in\n");
    expect((await asBot("get", "pods", "-n", "team", "--as=someone")).stderr).toContain(
      'cannot impersonate resource "users"',
    );
    expect((await k("create", "token", "bot", "-n", "team", "--duration=1m")).stderr).toContain(
      "may not specify a duration less than 10 minutes",
    );
    // a deleted account's tokens stop working, even if an account of that name comes back
    await k("delete", "serviceaccount", "bot", "-n", "team");
    await k("create", "serviceaccount", "bot", "-n", "team");
    expect((await asBot("get", "pods", "-n", "team")).stderr).toContain("Unauthorized");
  });
});
