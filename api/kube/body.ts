import { parse as parseYaml } from "yaml";
import { kubeErrors } from "../../core/k8s/errors";
import type { KubeObject } from "../../core/k8s/types";

/** Decodes a request body sent as JSON or YAML into an object, with the apiserver's 400 otherwise. */
export function decodeObject(text: string, contentType: string | undefined): KubeObject {
  const type = (contentType ?? "application/json").split(";")[0]?.trim() ?? "";
  let value: unknown;
  if (type === "application/yaml" || type === "application/apply-patch+yaml") {
    try {
      value = parseYaml(text);
    } catch (err) {
      throw kubeErrors.badRequest(`error converting YAML to JSON: ${(err as Error).message.split("\n")[0]}`);
    }
  } else if (type === "application/json" || type === "" || type.endsWith("+json")) {
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw kubeErrors.badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
    }
  } else {
    throw kubeErrors.unsupportedMediaType(type);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw kubeErrors.badRequest("Object 'Kind' is missing in the request body: expected a JSON object");
  }
  const obj = value as KubeObject;
  if (obj.metadata !== undefined && (obj.metadata === null || typeof obj.metadata !== "object")) {
    throw kubeErrors.badRequest("metadata: expected an object");
  }
  obj.metadata ??= {};
  return obj;
}
