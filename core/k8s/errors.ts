import type { Status } from "./types";

/** An error that the Kubernetes API renders as kube-apiserver's `Status` object with the same code. */
export class KubeError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
  }
  get code(): number {
    return this.status.code;
  }
}

type Details = NonNullable<Status["details"]>;

/**
 * What a client is told of an unexpected error: never its text, which can hold SQL statements, their
 * parameters, addresses or paths; the trace id lets an operator find the whole error in the logs.
 */
export function hiddenError(traceId: string | undefined): string {
  return `the server could not complete the request${traceId ? ` (trace ${traceId})` : ""}; its logs say why`;
}

export function statusFailure(code: number, reason: string, message: string, details?: Details): Status {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

/** `resource` is the plural (with `.group` appended for non-core groups), as the apiserver words it. */
function qualified(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

export const kubeErrors = {
  notFound: (resource: string, group: string, name: string) =>
    new KubeError(
      statusFailure(404, "NotFound", `${qualified(resource, group)} "${name}" not found`, {
        name,
        ...(group ? { group } : {}),
        kind: resource,
      }),
    ),
  alreadyExists: (resource: string, group: string, name: string) =>
    new KubeError(
      statusFailure(409, "AlreadyExists", `${qualified(resource, group)} "${name}" already exists`, {
        name,
        ...(group ? { group } : {}),
        kind: resource,
      }),
    ),
  conflict: (resource: string, group: string, name: string, why?: string) =>
    new KubeError(
      statusFailure(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": ${
          why ?? "the object has been modified; please apply your changes to the latest version and try again"
        }`,
        { name, ...(group ? { group } : {}), kind: resource },
      ),
    ),
  unknownResource: () =>
    new KubeError(statusFailure(404, "NotFound", "the server could not find the requested resource", {})),
  badRequest: (message: string) => new KubeError(statusFailure(400, "BadRequest", message)),
  methodNotAllowed: (message = "the server does not allow this method on the requested resource") =>
    new KubeError(statusFailure(405, "MethodNotAllowed", message, {})),
  unsupportedMediaType: (contentType: string) =>
    new KubeError(
      statusFailure(
        415,
        "UnsupportedMediaType",
        `the body of the request was in an unknown format (${contentType}) - accepted media types include: application/json, application/yaml, application/merge-patch+json`,
      ),
    ),
  /** A patch type a resource does not take: custom resources have no strategic merge patch. */
  unsupportedPatchType: () =>
    new KubeError(
      statusFailure(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
      ),
    ),
  unprocessable: (message: string) =>
    new KubeError(
      statusFailure(
        422,
        "Invalid",
        `the server rejected our request due to an error in our request: ${message}`,
      ),
    ),
  unauthorized: () => new KubeError(statusFailure(401, "Unauthorized", "Unauthorized")),
  forbidden: (message: string) => new KubeError(statusFailure(403, "Forbidden", message)),
  gone: (message: string) => new KubeError(statusFailure(410, "Expired", message)),
  notAcceptable: () =>
    new KubeError(
      statusFailure(406, "NotAcceptable", "only the following media types are accepted: application/json"),
    ),
  internal: (message: string) =>
    new KubeError(statusFailure(500, "InternalError", `Internal error occurred: ${message}`)),
  tooLarge: (limit: number) =>
    new KubeError(statusFailure(413, "RequestEntityTooLarge", `Request entity too large: limit is ${limit}`)),
  serviceUnavailable: (message: string) => new KubeError(statusFailure(503, "ServiceUnavailable", message)),
};
