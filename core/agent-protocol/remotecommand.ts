/**
 * Kubernetes' remotecommand streaming over WebSocket (v4/v5.channel.k8s.io), what the agent serves for exec
 * and attach, and what the API relays to it frame for frame (or makes from kubectl's SPDY streams): every
 * binary message starts with a channel byte. v5 adds a close message so the client can end stdin.
 */
export const REMOTECOMMAND_V5 = "v5.channel.k8s.io";
export const REMOTECOMMAND_V4 = "v4.channel.k8s.io";
/** The subprotocols, the preferred first. */
export const REMOTECOMMAND_PROTOCOLS = [REMOTECOMMAND_V5, REMOTECOMMAND_V4];

export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export function encodeFrame(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === "string" ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from([channel]), body]);
}

/** A message's channel and body; undefined for an empty message, which carries no channel. */
export function decodeFrame(message: Buffer): { channel: number; data: Buffer } | undefined {
  const channel = message[0];
  return channel === undefined ? undefined : { channel, data: message.subarray(1) };
}

/** v5's close message: the sender will write no more on `channel` (only stdin is ever closed). */
export function closeFrame(channel: number): Buffer {
  return Buffer.from([CHANNEL.close, channel]);
}

/** The final message on the error channel: success, or the exit code kubectl turns into its own. */
export function exitStatus(exitCode: number, command: string[]): string {
  if (exitCode === 0) return JSON.stringify({ metadata: {}, status: "Success" });
  return JSON.stringify({
    metadata: {},
    status: "Failure",
    message: `command terminated with non-zero exit code: error executing command [${command.join(" ")}], exit code ${exitCode}`,
    reason: "NonZeroExitCode",
    details: { causes: [{ reason: "ExitCode", message: String(exitCode) }] },
  });
}

/** A failure on the error channel, the last message of a stream that could not run or went away. */
export function failureStatus(message: string, reason?: string): string {
  return JSON.stringify({
    metadata: {},
    status: "Failure",
    message,
    ...(reason ? { reason } : {}),
    code: 500,
  });
}

/** A terminal size from the resize channel. */
export interface TerminalSize {
  width: number;
  height: number;
}

/**
 * The body of a resize message (kubectl's TerminalSize, `{"Width":80,"Height":24}`), or undefined for
 * anything else: the body comes straight from the client, so nothing here may throw. Keys match without
 * regard to case and sizes are uint16, as Go's decoder reads them into the kubelet's TerminalSize; a zero
 * size is no size.
 */
export function parseResize(body: Buffer | string): TerminalSize | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body.toString());
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const field = (name: string) => {
    const entry = Object.entries(value).find(([key]) => key.toLowerCase() === name);
    const n = entry?.[1];
    return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 0xffff ? n : undefined;
  };
  const width = field("width");
  const height = field("height");
  return width && height ? { width, height } : undefined;
}
