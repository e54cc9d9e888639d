import { describe, expect, it } from "vitest";
import { renderTemplates } from "./engine";

describe("renderTemplates", () => {
  it("shares defines across files, hides partials and blanks missing values", () => {
    const out = renderTemplates(
      {
        "c/templates/_h.tpl": '{{ define "h" }}hi {{ . }}{{ end }}',
        "c/templates/a": '{{ template "h" .x }}|{{ .y }}',
      },
      { x: "there" },
    );
    expect(out).toEqual({ "c/templates/a": "hi there|" });
  });

  it("includes named templates", () => {
    const out = renderTemplates({ t: '{{ define "x" }}[{{ . }}]{{ end }}{{ include "x" 1 | upper }}' }, {});
    expect(out).toEqual({ t: "[1]" });
  });

  it("fails on missing keys in strict mode", () => {
    expect(() => renderTemplates({ t: "{{ .y }}" }, {}, { strict: true })).toThrow(
      't:1:3\n  executing "t" at <.y>:\n    map has no entry for key "y"',
    );
  });
});
