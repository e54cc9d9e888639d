import { describe, expect, it } from "vitest";
import { TemplateSet } from "./exec";

function run(src: string, data: unknown = {}, missingKey: "default" | "zero" = "zero"): string {
  const set = new TemplateSet({}, missingKey);
  set.parse("t", src);
  return set.execute("t", data);
}

describe("text/template", () => {
  it("trims whitespace around {{- and -}} and drops comments", () => {
    expect(run("a  {{- 1 -}}  b {{/* c */}}|{{- /* d */ -}} |")).toBe("a1b ||");
  });

  it("ranges over lists with index and maps in key order, with else", () => {
    expect(run("{{ range $i, $v := .l }}{{$i}}={{$v}},{{end}}", { l: ["a", "b"] })).toBe("0=a,1=b,");
    expect(run("{{ range $k, $v := . }}{{$k}}:{{$v}} {{end}}", { b: 2, a: 1 })).toBe("a:1 b:2 ");
    expect(run("{{ range .x }}x{{ else }}empty{{ end }}", { x: [] })).toBe("empty");
  });

  it("supports break and continue", () => {
    const src =
      "{{ range . }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ if eq . 4 }}{{ break }}{{ end }}{{ . }}{{ end }}";
    expect(run(src, [1n, 2n, 3n, 4n, 5n])).toBe("13");
  });

  it("chains else if and scopes variables", () => {
    expect(run("{{ if .a }}a{{ else if .b }}b{{ else }}c{{ end }}", { a: 0, b: "x" })).toBe("b");
    expect(run("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ end }}{{ $x }}")).toBe("2");
    expect(run("{{ with .a }}{{ . }}-{{ $.b }}{{ end }}", { a: "A", b: "B" })).toBe("A-B");
  });

  it("defines and calls templates", () => {
    expect(run('{{ define "x" }}X{{ . }}{{ end }}{{ template "x" 3 }}')).toBe("X3");
    expect(run('{{ block "b" . }}default{{ end }}')).toBe("default");
  });

  it("follows Go truthiness", () => {
    const src = "{{ range . }}{{ if . }}T{{ else }}F{{ end }}{{ end }}";
    expect(run(src, [0, 0n, "", [], {}, null, false, 1, "a", [0], { a: 1 }, true])).toBe("FFFFFFFTTTTT");
  });

  it("short-circuits and/or and returns the deciding operand", () => {
    expect(run('{{ and 1 0 2 }}|{{ or 0 "" 3 }}|{{ or 0 "" }}')).toBe("0|3|");
    expect(run("{{ and false .a.b }}", { a: null })).toBe("false");
  });

  it("prints missing keys and nil as <no value>", () => {
    expect(run("{{ .missing }}|{{ .a.b }}", { a: {} })).toBe("<no value>|<no value>");
  });

  it("reports errors with template name, line, column and node", () => {
    // as Go's parser places it, a chain of fields sits where its second field starts
    expect(() => run("line1\n  {{ .a.b.c }}", { a: {} })).toThrow(
      'template: t:2:7: executing "t" at <.a.b.c>: nil pointer evaluating interface {}.c',
    );
    expect(() => run('{{ eq 1 "a" }}')).toThrow(
      'template: t:1:3: executing "t" at <eq 1 "a">: error calling eq: incompatible types for comparison',
    );
    expect(() => run("{{ nofunc 1 }}")).toThrow('template: t:1: function "nofunc" not defined');
  });

  it("indexes and slices", () => {
    expect(
      run('{{ index .m "a" 1 }}|{{ slice .l 1 2 }}|{{ len .l }}', { m: { a: [1, 2] }, l: ["x", "y", "z"] }),
    ).toBe("2|[y]|3");
  });
});
