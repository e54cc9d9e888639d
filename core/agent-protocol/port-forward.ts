/**
 * The API's leg of a forwarded connection, one WebSocket per connection with no subprotocol: binary
 * messages carry the bytes both ways, and this text message says the API's client half-closed, so the
 * agent half-closes its connection to the pod's port. The agent closes the WebSocket when the pod's side
 * ends; a refusal before the upgrade is a plain-text reason for kubectl to print.
 */
export const HALF_CLOSE = "end";

/** Whether a message the agent received is the half-close rather than bytes for the pod. */
export function isHalfClose(data: Buffer, binary: boolean): boolean {
  return !binary && data.toString() === HALF_CLOSE;
}
