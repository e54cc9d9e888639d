import { type Diagnostic, error } from "./diagnostics";

/** A management API answer other than the one expected: its status and `{ error: { code, message } }`. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Client {
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  text(path: string): Promise<string>;
}

/** The management API at `endpoint` with `token` as bearer. */
export function createClient(endpoint: string, token: string): Client {
  const base = endpoint.replace(/\/+$/, "");
  const send = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.ok) return response;
    const text = await response.text();
    let failure: { code?: string; message?: string } = {};
    try {
      failure = (JSON.parse(text) as { error?: typeof failure }).error ?? {};
    } catch {}
    throw new ApiFailure(
      response.status,
      failure.code ?? "http",
      failure.message ?? (text || response.statusText),
    );
  };
  return {
    async request<T>(method: string, path: string, body?: unknown) {
      const response = await send(method, path, body);
      const text = await response.text();
      return (text ? JSON.parse(text) : null) as T;
    },
    async text(path: string) {
      return (await send("GET", path)).text();
    },
  };
}

/**
 * A failed call as a diagnostic; the management API names a rejected field first (`name: must be …`),
 * so a field among `attributes` makes the diagnostic point at that attribute.
 */
export function diagnosticOf(
  failure: unknown,
  action: string,
  attributes: Record<string, string>,
): Diagnostic {
  if (!(failure instanceof ApiFailure)) {
    return error(`${action} failed`, failure instanceof Error ? failure.message : String(failure));
  }
  const field = /^([A-Za-z]+): /.exec(failure.message)?.[1];
  const attribute = field === undefined ? undefined : attributes[field];
  return error(`${action} failed`, `${failure.message} (HTTP ${failure.status}, ${failure.code})`, attribute);
}
