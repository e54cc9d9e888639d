import { describe, expect, it } from "vitest";
import { renderTemplates } from "../engine";

const render = (text: string, dot: unknown = {}) => renderTemplates({ t: text }, dot).t;

describe("Sprig string and default helpers", () => {
  it("defaults empty values, Go-truthiness wise", () => {
    expect(
      render('{{ .a | default "x" }}|{{ .b | default "x" }}|{{ 0 | default 5 }}', { a: "", b: "kept" }),
    ).toBe("x|kept|5");
  });

  it("quotes, indents and truncates as Sprig does", () => {
    expect(render('{{ quote "a" "b" }} {{ squote "c" }}')).toBe('"a" "b" \'c\'');
    expect(render('{{ "a\\nb" | indent 2 }}|{{ "a" | nindent 2 }}')).toBe("  a\n  b|\n  a");
    expect(render('{{ trunc 3 "abcdef" }} {{ trunc -2 "abcdef" }}')).toBe("abc ef");
  });

  it("answers questions about strings and maps", () => {
    expect(
      render('{{ hasKey .m "k" }} {{ hasPrefix "ab" "abc" }} {{ trimSuffix ".yaml" "x.yaml" }}', {
        m: { k: 1 },
      }),
    ).toBe("true true x");
  });
});
