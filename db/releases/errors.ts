/**
 * An operation on a release refused or failed for a reason its caller can act on, with the status and code
 * the management API answers with (`render_failed`, `apply_failed`, `conflict`…). 5xx: the platform could
 * not do it now (a cluster being reset); a controller tries again later.
 */
export class ReleaseError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 422 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
