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

const DELETE_POLL_MS = 1000;

/** DELETE `path`, then GET it until the API answers 404 (the object's teardown is over), for `timeoutMs` at most. */
export async function deleteAndWait(client: Client, path: string, timeoutMs = 10 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  try {
    await client.request("DELETE", path);
    while (Date.now() < deadline) {
      await client.request("GET", path);
      await new Promise((resolve) => setTimeout(resolve, DELETE_POLL_MS));
    }
  } catch (failure) {
    if (failure instanceof ApiFailure && failure.status === 404) return;
    throw failure;
  }
  throw new Error(
    `${path} still exists ${Math.round(timeoutMs / 1000)} s after its deletion (timeouts.delete)`,
  );
}

/** GET `path`, or null on a 404. */
export async function getOrNull<T>(client: Client, path: string): Promise<T | null> {
  try {
    return await client.request<T>("GET", path);
  } catch (failure) {
    if (failure instanceof ApiFailure && failure.status === 404) return null;
    throw failure;
  }
}
