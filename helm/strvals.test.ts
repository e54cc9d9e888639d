import { describe, expect, it } from "vitest";
import { parseSetValues } from "./strvals";

describe("parseSetValues (--set)", () => {
  it.each([
    ["name=value", { name: "value" }],
    ["name1=value1,name2=value2", { name1: "value1", name2: "value2" }],
    ["name1=value1,name2=", { name1: "value1", name2: "" }],
    ["boolean=true,off=FALSE,gone=null", { boolean: true, off: false, gone: null }],
    ["zero=0,big=1234567890123,neg=-3", { zero: 0n, big: 1234567890123n, neg: -3n }],
    [
      "leading=00009,float=1.5,huge=99999999999999999999",
      { leading: "00009", float: "1.5", huge: "99999999999999999999" },
    ],
    ["name=one\\,two,three=four", { name: "one,two", three: "four" }],
    ["name=one\\=two", { name: "one=two" }],
    ["dotted\\.key=x", { "dotted.key": "x" }],
    ["outer.middle.inner=value", { outer: { middle: { inner: "value" } } }],
    ["a.b=1,a.c=2", { a: { b: 1n, c: 2n } }],
    ["list={a,b,3}", { list: ["a", "b", 3n] }],
    ["list={},after=1", { list: [], after: 1n }],
    ["list[1]=foo", { list: [null, "foo"] }],
    ["list[0].name=x,list[0].port=80", { list: [{ name: "x", port: 80n }] }],
    ["grid[0][1]=x", { grid: [[null, "x"]] }],
  ])("%s", (text, want) => {
    expect(parseSetValues([text])).toEqual(want);
  });

  it("parses each argument on top of the ones before", () => {
    expect(parseSetValues(["image.repo=nginx", "image.tag=1.25", "list[0]=a", "list[1]=b"])).toEqual({
      image: { repo: "nginx", tag: "1.25" },
      list: ["a", "b"],
    });
  });

  it("keeps every value a string for --set-string", () => {
    expect(parseSetValues(["on=true,n=3,l={1,2}"], true)).toEqual({ on: "true", n: "3", l: ["1", "2"] });
  });

  it.each([
    ["name", 'key "name" has no value'],
    ["name1,name2=x", 'key "name1" has no value (cannot end with ,)'],
    ["list[-1]=x", "negative -1 index not allowed"],
    ["list[x]=1", "failed to parse index: x"],
    ["list[70000]=1", "index of 70000 is greater than maximum supported index of 65536"],
    ["list={a,b", "list must terminate with '}'"],
  ])("refuses %s", (text, message) => {
    expect(() => parseSetValues([text])).toThrow(message);
  });
});
