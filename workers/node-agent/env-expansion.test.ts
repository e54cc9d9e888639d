import { describe, expect, it } from "vitest";
import { containerEnvironment, expandVars } from "./env-expansion";

const vars: Record<string, string> = { A: "alpha", EMPTY: "" };
const expand = (s: string) => expandVars(s, (n) => vars[n]);

describe("expandVars", () => {
  it("replaces defined names and keeps unknown ones as written", () => {
    expect(expand("$(A)-$(B)")).toBe("alpha-$(B)");
    expect(expand("x$(EMPTY)y")).toBe("xy");
  });
  it("treats $$ as an escaped dollar and leaves other dollars alone", () => {
    expect(expand("$$(A)")).toBe("$(A)");
    expect(expand("$$$(A)")).toBe("$alpha");
    expect(expand("cost: $5 $A $")).toBe("cost: $5 $A $");
  });
  it("keeps an unclosed reference", () => {
    expect(expand("a $(A")).toBe("a $(A");
  });
});

describe("containerEnvironment", () => {
  it("puts envFrom first, then env in order, each value seeing only what came before", () => {
    const env = containerEnvironment(
      { SVC_HOST: "10.0.0.1" },
      [{ prefix: "CM_", values: { mode: "fast" } }, { values: { USER: "from-secret" } }],
      [
        { name: "URL", value: "http://$(SVC_HOST)/$(LATER)", literal: true },
        { name: "LATER", value: "x", literal: true },
        { name: "USER", value: "override", literal: true },
        { name: "RAW", value: "$(USER)", literal: false },
        { name: "MISSING", value: undefined, literal: false },
      ],
    );
    expect(Object.fromEntries(env)).toEqual({
      SVC_HOST: "10.0.0.1",
      CM_mode: "fast",
      USER: "override",
      URL: "http://10.0.0.1/$(LATER)",
      LATER: "x",
      RAW: "$(USER)",
    });
  });
});
