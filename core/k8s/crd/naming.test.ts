import { describe, expect, it } from "vitest";
import { nameConflict, withNameConflict } from "./naming";
import type { CrdNames, CustomResourceDefinition } from "./types";

const crd = (plural: string, names: Partial<CrdNames>, accepted = true): CustomResourceDefinition => {
  const all = { plural, singular: plural.slice(0, -1), kind: "Thing", listKind: "ThingList", ...names };
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.example.com` },
    spec: { group: "example.com", scope: "Namespaced", names: all, versions: [] },
    status: {
      conditions: [
        { type: "NamesAccepted", status: "True", reason: "NoConflicts" },
        { type: "Established", status: "True", reason: "InitialNamesAccepted" },
      ],
      acceptedNames: accepted ? all : { plural: "", kind: "" },
    },
  };
};

describe("nameConflict", () => {
  const things = crd("things", { shortNames: ["th"] });

  it("finds a name another CRD of the group accepted, as the naming controller words it", () => {
    expect(nameConflict(crd("others", { kind: "Thing", listKind: "OtherList" }), [things])).toEqual({
      reason: "KindConflict",
      message: '"Thing" is already in use',
    });
    expect(nameConflict(crd("others", { kind: "Other", shortNames: ["th"] }), [things])?.reason).toBe(
      "ShortNamesConflict",
    );
    expect(nameConflict(crd("others", { kind: "Other", singular: "things" }), [things])?.reason).toBe(
      "SingularConflict",
    );
  });

  it("ignores itself, other groups and names never accepted", () => {
    expect(nameConflict(things, [things])).toBeUndefined();
    const elsewhere = {
      ...crd("others", { kind: "Thing" }),
      spec: { ...crd("others", { kind: "Thing" }).spec, group: "example.org" },
    };
    expect(nameConflict(elsewhere, [things])).toBeUndefined();
    expect(nameConflict(crd("others", { kind: "Thing" }), [crd("things", {}, false)])).toBeUndefined();
  });
});

describe("withNameConflict", () => {
  it("refuses the names of a new CRD and leaves it unestablished", () => {
    const next = crd("others", { kind: "Thing" });
    withNameConflict(next, { reason: "KindConflict", message: '"Thing" is already in use' }, undefined);
    expect(next.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ["NamesAccepted", "False", "KindConflict"],
      ["Established", "False", "NotAccepted"],
    ]);
    expect(next.status?.acceptedNames).toEqual({ plural: "", kind: "" });
  });

  it("keeps an established CRD served under its accepted names", () => {
    const before = crd("others", { kind: "Other" });
    const next = crd("others", { kind: "Thing" });
    withNameConflict(next, { reason: "KindConflict", message: '"Thing" is already in use' }, before);
    expect(next.status?.conditions?.find((c) => c.type === "Established")?.status).toBe("True");
    expect(next.status?.acceptedNames?.kind).toBe("Other");
  });
});
