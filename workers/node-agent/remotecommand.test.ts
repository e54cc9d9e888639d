import { describe, expect, it } from "vitest";
import { exitStatus, frame } from "./remotecommand";

describe("remotecommand framing", () => {
  it("prefixes the channel byte", () => {
    expect([...frame(1, "hi")]).toEqual([1, 104, 105]);
  });

  it("reports exit codes the way kubectl reads them", () => {
    expect(JSON.parse(exitStatus(0, ["true"]))).toEqual({ metadata: {}, status: "Success" });
    expect(JSON.parse(exitStatus(3, ["sh", "-c", "exit 3"]))).toMatchObject({
      status: "Failure",
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: "3" }] },
    });
  });
});
