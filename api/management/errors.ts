import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Management API error: rendered as `{ "error": { "code", "message" } }` with the HTTP status. */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly errorCode: string,
    message: string,
  ) {
    super(status, { message });
  }
}

export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}
