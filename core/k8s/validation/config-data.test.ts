import { describe, expect, it } from "vitest";
import { type ConfigData, foldStringData, validateConfigData, validateConfigDataUpdate } from "./config-data";

const secret = (extra: Partial<ConfigData>): ConfigData => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "s" },
  ...extra,
});

describe("Secrets and ConfigMaps", () => {
  it("fold stringData into base64 data, stringData winning, type Opaque by default", () => {
    expect(foldStringData(secret({ data: { a: "eA==", b: "eQ==" }, stringData: { b: "two" } }))).toEqual(
      secret({ type: "Opaque", data: { a: "eA==", b: Buffer.from("two").toString("base64") } }),
    );
  });
  it("refuse bad keys and a TLS secret without its keys, naming the fields", () => {
    const errors = validateConfigData(
      secret({ type: "kubernetes.io/tls", data: { "bad key": "", "tls.crt": "" } }),
    );
    expect(errors.map((e) => `${e.field}: ${e.type}`)).toEqual([
      "data[bad key]: FieldValueInvalid",
      "data[tls.key]: FieldValueRequired",
    ]);
  });
  it("keep an immutable object's data and a Secret's type", () => {
    const current = secret({ type: "Opaque", immutable: true, data: { a: "eA==" } });
    expect(
      validateConfigDataUpdate(secret({ type: "Opaque", immutable: true, data: { a: "eA==" } }), current),
    ).toEqual([]);
    const changed = validateConfigDataUpdate(secret({ type: "kubernetes.io/basic-auth", data: {} }), current);
    expect(changed.map((e) => e.field)).toEqual(["type", "immutable", "data"]);
  });
});
