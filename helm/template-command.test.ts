import { describe, expect, it } from "vitest";
import { templateCommand } from "./template-command";

describe("templateCommand", () => {
  const chart = {
    "Chart.yaml": "apiVersion: v2\nname: demo\nversion: 1.0.0\n",
    "values.yaml": "replicas: 1\n",
    "templates/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n",
    "templates/deploy.yaml":
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: {{ .Values.replicas }}\n",
    "templates/NOTES.txt": "Thanks!",
  };

  it("prints manifests in install order with their source, values overridden by --set", () => {
    const out = templateCommand(chart, { releaseName: "r", namespace: "default", set: ["replicas=3"] });
    expect(out).toBe(
      "---\n# Source: demo/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: r\n\n" +
        "---\n# Source: demo/templates/deploy.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: 3\n",
    );
  });
});
