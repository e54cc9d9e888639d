import type { TemplateFunc } from "../template/exec";
import { str, toInt64 } from "./convert";

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** A Go time.Time in UTC, as Sprig's date functions hand them around. */
export class GoTime {
  constructor(readonly date: Date) {}
  Unix(): bigint {
    return BigInt(Math.floor(this.date.getTime() / 1000));
  }
  Year(): bigint {
    return BigInt(this.date.getUTCFullYear());
  }
  Format(layout: unknown): string {
    return formatTime(this.date, str(layout));
  }
  goString(): string {
    return formatTime(this.date, "2006-01-02 15:04:05.999999999 -0700 MST");
  }
}

/** Go's reference-time layouts (Mon Jan 2 15:04:05 MST 2006), in UTC. */
export function formatTime(d: Date, layout: string): string {
  const h = d.getUTCHours();
  const tokens: [string, () => string][] = [
    ["2006", () => String(d.getUTCFullYear())],
    ["January", () => MONTHS[d.getUTCMonth()] as string],
    ["Jan", () => (MONTHS[d.getUTCMonth()] as string).slice(0, 3)],
    ["Monday", () => DAYS[d.getUTCDay()] as string],
    ["Mon", () => (DAYS[d.getUTCDay()] as string).slice(0, 3)],
    ["MST", () => "UTC"],
    ["Z07:00", () => "Z"],
    ["-07:00", () => "+00:00"],
    ["-0700", () => "+0000"],
    [
      ".999999999",
      () => (d.getUTCMilliseconds() ? `.${pad(d.getUTCMilliseconds(), 3).replace(/0+$/, "")}` : ""),
    ],
    [".000", () => `.${pad(d.getUTCMilliseconds(), 3)}`],
    ["01", () => pad(d.getUTCMonth() + 1)],
    ["02", () => pad(d.getUTCDate())],
    ["_2", () => String(d.getUTCDate()).padStart(2, " ")],
    ["06", () => pad(d.getUTCFullYear() % 100)],
    ["15", () => pad(h)],
    ["03", () => pad(h % 12 || 12)],
    ["04", () => pad(d.getUTCMinutes())],
    ["05", () => pad(d.getUTCSeconds())],
    ["PM", () => (h < 12 ? "AM" : "PM")],
    ["pm", () => (h < 12 ? "am" : "pm")],
    ["1", () => String(d.getUTCMonth() + 1)],
    ["2", () => String(d.getUTCDate())],
    ["3", () => String(h % 12 || 12)],
    ["4", () => String(d.getUTCMinutes())],
    ["5", () => String(d.getUTCSeconds())],
  ];
  let out = "";
  let i = 0;
  outer: while (i < layout.length) {
    for (const [token, value] of tokens)
      if (layout.startsWith(token, i)) {
        out += value();
        i += token.length;
        continue outer;
      }
    out += layout[i];
    i++;
  }
  return out;
}

function timeOf(v: unknown): Date {
  if (v instanceof GoTime) return v.date;
  if (typeof v === "bigint" || typeof v === "number") return new Date(Number(v) * 1000);
  return new Date();
}

export const sprigDates: Record<string, TemplateFunc> = {
  now: () => new GoTime(new Date()),
  date: (layout, t) => formatTime(timeOf(t), str(layout)),
  dateInZone: (layout, t) => formatTime(timeOf(t), str(layout)),
  htmlDate: (t) => formatTime(timeOf(t), "2006-01-02"),
  unixEpoch: (t) => String(Math.floor(timeOf(t).getTime() / 1000)),
  toDate: (layout, text) => {
    const d = new Date(str(text));
    if (Number.isNaN(d.getTime()))
      throw new Error(`parsing time "${str(text)}" as "${str(layout)}": cannot parse`);
    return new GoTime(d);
  },
  dateModify: (modifier, t) => {
    const m = /^([+-]?\d+)(h|m|s)$/.exec(str(modifier));
    if (!m) return new GoTime(timeOf(t));
    const unit = { h: 3_600_000, m: 60_000, s: 1000 }[m[2] as "h" | "m" | "s"];
    return new GoTime(new Date(timeOf(t).getTime() + Number(m[1]) * unit));
  },
  duration: (seconds) => `${toInt64(seconds)}s`,
};
