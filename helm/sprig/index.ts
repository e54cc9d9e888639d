import type { TemplateFunc } from "../template/exec";
import { formatValue } from "../template/format";
import { typeName } from "../template/values";
import { sprigDates } from "./dates";
import { sprigDicts } from "./dicts";
import { sprigEncoding } from "./encoding";
import { sprigLists } from "./lists";
import { sprigMath } from "./math";
import { sprigSemver } from "./semver";
import { sprigStrings } from "./strings";
import { sprigText } from "./text";

function str(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "";
  return formatValue(v);
}

/** The Sprig functions implemented so far, with Sprig's argument order (pipelines pass the last). */
export const sprig: Record<string, TemplateFunc> = {
  ...sprigStrings,
  ...sprigText,
  ...sprigLists,
  ...sprigDicts,
  ...sprigMath,
  ...sprigEncoding,
  ...sprigSemver,
  ...sprigDates,
  upper: (s) => str(s).toUpperCase(),
  lower: (s) => str(s).toLowerCase(),
  title: (s) =>
    str(s).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, sep: string, c: string) => sep + c.toUpperCase()),
  repeat: (count, s) => {
    if (typeof count !== "bigint")
      throw new Error(`wrong type for value; expected int; got ${typeName(count)}`);
    return str(s).repeat(Number(count < 0n ? 0n : count));
  },
};
