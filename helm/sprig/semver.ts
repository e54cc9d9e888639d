import type { TemplateFunc } from "../template/exec";
import { str } from "./convert";

/** A semantic version, as Masterminds/semver parses it leniently (`v` prefix, missing minor or patch). */
export class Version {
  static goType = "*semver.Version";

  constructor(
    readonly Major: bigint,
    readonly Minor: bigint,
    readonly Patch: bigint,
    readonly Prerelease: string,
    readonly Metadata: string,
    readonly Original: string,
  ) {}

  static parse(text: string): Version {
    const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(
      text.trim(),
    );
    if (!m) throw new Error("Invalid Semantic Version");
    return new Version(BigInt(m[1] ?? 0), BigInt(m[2] ?? 0), BigInt(m[3] ?? 0), m[4] ?? "", m[5] ?? "", text);
  }

  /** How %v prints it: a Stringer. */
  goString(): string {
    return this.String();
  }

  /** Masterminds/semver's MarshalJSON: the version as a JSON string. */
  marshalJSON(): string {
    return JSON.stringify(this.String());
  }

  String(): string {
    return `${this.Major}.${this.Minor}.${this.Patch}${this.Prerelease ? `-${this.Prerelease}` : ""}${
      this.Metadata ? `+${this.Metadata}` : ""
    }`;
  }
}

function comparePrerelease(a: string, b: string): number {
  if (a === b) return 0;
  if (!a) return 1;
  if (!b) return -1;
  const x = a.split(".");
  const y = b.split(".");
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    if (p === q) continue;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) return Number(p) < Number(q) ? -1 : 1;
    if (pn) return -1;
    if (qn) return 1;
    return p < q ? -1 : 1;
  }
  return 0;
}

export function compareVersions(a: Version, b: Version): number {
  for (const k of ["Major", "Minor", "Patch"] as const) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  return comparePrerelease(a.Prerelease, b.Prerelease);
}

type Check = (v: Version) => boolean;

/** One constraint term such as `>=1.19-0`, `~1.2`, `^0.3.1`, `1.2.x`. */
function term(text: string): Check {
  const m =
    /^(!=|>=|=>|<=|=<|~>|[=<>~^])?\s*v?([0-9xX*]+)(?:\.([0-9xX*]+))?(?:\.([0-9xX*]+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(
      text.trim(),
    );
  if (!m) throw new Error(`improper constraint: ${text}`);
  const op = m[1] ?? "";
  const wild = (s: string | undefined) => s === undefined || /^[xX*]$/.test(s);
  const parts = [m[2], m[3], m[4]];
  const fixed = parts.findIndex(wild);
  const depth = fixed < 0 ? 3 : fixed;
  const num = (i: number) => (wild(parts[i]) ? 0n : BigInt(parts[i] as string));
  const base = new Version(num(0), num(1), num(2), m[5] ?? "", "", text);
  const allowsPre = base.Prerelease !== "";
  const cmp = (v: Version) => compareVersions(v, base);
  const bump = (level: number) =>
    new Version(
      level === 0 ? base.Major + 1n : base.Major,
      level === 1 ? base.Minor + 1n : level === 0 ? 0n : base.Minor,
      level === 2 ? base.Patch + 1n : 0n,
      "",
      "",
      "",
    );
  const below = (upper: Version) => (v: Version) =>
    compareVersions(new Version(v.Major, v.Minor, v.Patch, "", "", ""), upper) < 0;
  let check: Check;
  switch (op) {
    case "":
    case "=":
      check = depth === 3 ? (v) => cmp(v) === 0 : (v) => cmp(v) >= 0 && below(bump(depth - 1))(v);
      if (depth === 0) check = () => true;
      break;
    case "!=":
      check = depth === 3 ? (v) => cmp(v) !== 0 : (v) => !(cmp(v) >= 0 && below(bump(depth - 1))(v));
      break;
    case ">":
      check = depth === 3 ? (v) => cmp(v) > 0 : (v) => !below(bump(Math.max(depth - 1, 0)))(v) || depth === 0;
      break;
    case ">=":
    case "=>":
      check = (v) => cmp(v) >= 0;
      break;
    case "<":
      check = (v) => cmp(v) < 0;
      break;
    case "<=":
    case "=<":
      check = depth === 3 ? (v) => cmp(v) <= 0 : (v) => below(bump(Math.max(depth - 1, 0)))(v);
      break;
    case "~":
    case "~>":
      check = (v) => cmp(v) >= 0 && below(bump(depth <= 1 ? 0 : 1))(v);
      break;
    default: {
      // ^: the leftmost non-zero part may not change
      const level = base.Major > 0n || depth === 1 ? 0 : base.Minor > 0n || depth === 2 ? 1 : 2;
      check = (v) => cmp(v) >= 0 && below(bump(level))(v);
    }
  }
  return (v) => (v.Prerelease && !allowsPre ? false : check(v));
}

/** A constraint: `||` alternatives of comma- or space-separated terms, with `a - b` ranges. */
export function constraint(text: string): Check {
  const alternatives = text.split("||").map((alt) => {
    const ranged = alt.replace(/(\S+)\s+-\s+(\S+)/g, ">=$1,<=$2");
    const terms = ranged
      .split(/,|\s+(?=[=<>!~^]|v?\d)/)
      .map((t) => t.trim())
      .filter(Boolean)
      .map(term);
    return (v: Version) => terms.every((t) => t(v));
  });
  return (v) => alternatives.some((a) => a(v));
}

export const sprigSemver: Record<string, TemplateFunc> = {
  semver: (v) => Version.parse(str(v)),
  semverCompare: (c, v) => constraint(str(c))(Version.parse(str(v))),
};
