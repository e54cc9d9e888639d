import type { TemplateFunc } from "../template/exec";
import { typeName } from "../template/values";
import { str } from "./convert";
import { formatDuration, GoDuration, HOUR, MINUTE, parseDuration, roundDuration, SECOND } from "./duration";

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

/**
 * A Go time.Time: an instant (millisecond precision here), a zone name and its offset east of UTC. Methods
 * are time.Time's that charts call (`.Unix`, `.Year`, `.Format`, `.UTC`, …); it prints as Go's String().
 */
export class GoTime {
  static goType = "time.Time";

  constructor(
    readonly date: Date,
    readonly zone = "UTC",
    readonly offset = 0,
  ) {}
  /** The wall clock in the time's zone, read through the UTC getters. */
  wall(): Date {
    return new Date(this.date.getTime() + this.offset * 1000);
  }
  Unix(): bigint {
    return BigInt(Math.floor(this.date.getTime() / 1000));
  }
  UnixMilli(): bigint {
    return BigInt(this.date.getTime());
  }
  Year(): bigint {
    return BigInt(this.wall().getUTCFullYear());
  }
  YearDay(): bigint {
    const w = this.wall();
    return BigInt(Math.floor((w.getTime() - Date.UTC(w.getUTCFullYear(), 0, 1)) / 86_400_000) + 1);
  }
  Day(): bigint {
    return BigInt(this.wall().getUTCDate());
  }
  Hour(): bigint {
    return BigInt(this.wall().getUTCHours());
  }
  Minute(): bigint {
    return BigInt(this.wall().getUTCMinutes());
  }
  Second(): bigint {
    return BigInt(this.wall().getUTCSeconds());
  }
  UTC(): GoTime {
    return new GoTime(this.date);
  }
  IsZero(): boolean {
    return this.date.getTime() === ZERO_TIME;
  }
  Add(d: unknown): GoTime {
    const ns = d instanceof GoDuration ? d.ns : typeof d === "bigint" ? d : 0n;
    return new GoTime(new Date(this.date.getTime() + Number(ns / 1_000_000n)), this.zone, this.offset);
  }
  Sub(t: unknown): GoDuration {
    if (!(t instanceof GoTime))
      throw new Error(`wrong type for value; expected time.Time; got ${typeName(t)}`);
    return new GoDuration(BigInt(this.date.getTime() - t.date.getTime()) * 1_000_000n);
  }
  Format(layout: unknown): string {
    return formatTime(this, str(layout));
  }
  String(): string {
    return formatTime(this, "2006-01-02 15:04:05.999999999 -0700 MST");
  }
  goString(): string {
    return this.String();
  }
  /** time.Time's MarshalJSON: RFC 3339 with the fraction's trailing zeros dropped. */
  marshalJSON(): string {
    return `"${formatTime(this, "2006-01-02T15:04:05.999999999Z07:00")}"`;
  }
}

/** Go's zero time.Time, 0001-01-01 00:00:00 UTC. */
const ZERO_TIME =
  Date.UTC(1, 0, 1) - 1900 * 0 + new Date(Date.UTC(2001, 0, 1)).setUTCFullYear(1) - Date.UTC(2001, 0, 1);

function zeroTime(): GoTime {
  const d = new Date(0);
  d.setUTCFullYear(1, 0, 1);
  d.setUTCHours(0, 0, 0, 0);
  return new GoTime(d);
}

type Chunk =
  | { kind: "text"; text: string }
  | { kind: "std"; std: string }
  | { kind: "frac"; std: string; digits: number; trim: boolean };

const STD_TOKENS = [
  "January",
  "Jan",
  "Monday",
  "Mon",
  "MST",
  "2006",
  "Z070000",
  "Z07:00:00",
  "Z0700",
  "Z07:00",
  "Z07",
  "-070000",
  "-07:00:00",
  "-0700",
  "-07:00",
  "-07",
  "002",
  "__2",
  "_2",
  "01",
  "02",
  "03",
  "04",
  "05",
  "06",
  "15",
  "PM",
  "pm",
  "1",
  "2",
  "3",
  "4",
  "5",
];

/** A Go layout (Mon Jan 2 15:04:05 MST 2006) split into literal text and the fields it names. */
function chunks(layout: string): Chunk[] {
  const out: Chunk[] = [];
  let text = "";
  let i = 0;
  outer: while (i < layout.length) {
    const c = layout[i] as string;
    if ((c === "." || c === ",") && (layout[i + 1] === "0" || layout[i + 1] === "9")) {
      const digit = layout[i + 1] as string;
      let j = i + 1;
      while (layout[j] === digit) j++;
      if (!/[0-9]/.test(layout[j] ?? "")) {
        if (text) out.push({ kind: "text", text });
        text = "";
        out.push({ kind: "frac", std: layout.slice(i, j), digits: j - i - 1, trim: digit === "9" });
        i = j;
        continue;
      }
    }
    for (const token of STD_TOKENS) {
      if (!layout.startsWith(token, i)) continue;
      // "Jan" only when not the start of a word such as "January" handled above; "2006" before "2"
      if (text) out.push({ kind: "text", text });
      text = "";
      out.push({ kind: "std", std: token });
      i += token.length;
      continue outer;
    }
    text += c;
    i++;
  }
  if (text) out.push({ kind: "text", text });
  return out;
}

function offsetText(offset: number, std: string): string {
  if (std.startsWith("Z") && offset === 0) return "Z";
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const h = pad(Math.floor(abs / 3600));
  const m = pad(Math.floor((abs % 3600) / 60));
  const s = pad(abs % 60);
  const body = std.replace(/^[Z-]/, "");
  switch (body) {
    case "07":
      return sign + h;
    case "0700":
      return sign + h + m;
    case "07:00":
      return `${sign}${h}:${m}`;
    case "070000":
      return sign + h + m + s;
    default:
      return `${sign}${h}:${m}:${s}`;
  }
}

/** time.Time.Format. */
export function formatTime(t: GoTime, layout: string): string {
  const d = t.wall();
  const h = d.getUTCHours();
  const year = d.getUTCFullYear();
  let out = "";
  for (const c of chunks(layout)) {
    if (c.kind === "text") {
      out += c.text;
      continue;
    }
    if (c.kind === "frac") {
      let digits = pad(d.getUTCMilliseconds(), 3).padEnd(9, "0").slice(0, c.digits);
      if (c.trim) {
        digits = digits.replace(/0+$/, "");
        out += digits ? c.std[0] + digits : "";
      } else out += c.std[0] + digits;
      continue;
    }
    switch (c.std) {
      case "2006":
        out += pad(year, 4);
        break;
      case "06":
        out += pad(year % 100);
        break;
      case "January":
        out += MONTHS[d.getUTCMonth()];
        break;
      case "Jan":
        out += (MONTHS[d.getUTCMonth()] as string).slice(0, 3);
        break;
      case "01":
        out += pad(d.getUTCMonth() + 1);
        break;
      case "1":
        out += String(d.getUTCMonth() + 1);
        break;
      case "Monday":
        out += DAYS[d.getUTCDay()];
        break;
      case "Mon":
        out += (DAYS[d.getUTCDay()] as string).slice(0, 3);
        break;
      case "02":
        out += pad(d.getUTCDate());
        break;
      case "_2":
        out += String(d.getUTCDate()).padStart(2, " ");
        break;
      case "2":
        out += String(d.getUTCDate());
        break;
      case "002":
      case "__2": {
        const yday = Math.floor((d.getTime() - Date.UTC(year, 0, 1)) / 86_400_000) + 1;
        out += c.std === "002" ? pad(yday, 3) : String(yday).padStart(3, " ");
        break;
      }
      case "15":
        out += pad(h);
        break;
      case "03":
        out += pad(h % 12 || 12);
        break;
      case "3":
        out += String(h % 12 || 12);
        break;
      case "04":
        out += pad(d.getUTCMinutes());
        break;
      case "4":
        out += String(d.getUTCMinutes());
        break;
      case "05":
        out += pad(d.getUTCSeconds());
        break;
      case "5":
        out += String(d.getUTCSeconds());
        break;
      case "PM":
        out += h < 12 ? "AM" : "PM";
        break;
      case "pm":
        out += h < 12 ? "am" : "pm";
        break;
      case "MST":
        out += t.zone || offsetText(t.offset, "-0700");
        break;
      default:
        out += offsetText(t.offset, c.std);
    }
  }
  return out;
}

/** Go's quoting in time.ParseError. */
const q = (s: string) => JSON.stringify(s);

/** time.ParseInLocation(layout, value, time.Local) for the layouts charts use; Local is UTC here. */
export function parseTime(layout: string, value: string): GoTime {
  const fail = (rest: string, elem: string) =>
    new Error(`parsing time ${q(value)} as ${q(layout)}: cannot parse ${q(rest)} as ${q(elem)}`);
  let rest = value;
  let year = 1;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let ms = 0;
  let pm: boolean | undefined;
  let offset: number | undefined;
  let zone = "UTC";
  const num = (min: number, max: number, elem: string): number => {
    const m = new RegExp(`^\\d{${min},${max}}`).exec(rest);
    if (!m) throw fail(rest, elem);
    rest = rest.slice(m[0].length);
    return Number(m[0]);
  };
  const list = chunks(layout);
  for (const [index, c] of list.entries()) {
    if (c.kind === "text") {
      if (!rest.startsWith(c.text)) throw fail(rest, c.text);
      rest = rest.slice(c.text.length);
      continue;
    }
    if (c.kind === "frac") {
      const m = c.trim ? /^[.,]\d+/.exec(rest) : new RegExp(`^[.,]\\d{${c.digits}}`).exec(rest);
      if (m) {
        ms = Math.floor(Number(`0.${m[0].slice(1)}`) * 1000);
        rest = rest.slice(m[0].length);
      } else if (!c.trim) throw fail(rest, c.std);
      continue;
    }
    const elem = c.std;
    switch (elem) {
      case "2006":
        year = num(4, 4, elem);
        break;
      case "06":
        year = num(2, 2, elem);
        year += year >= 69 ? 1900 : 2000;
        break;
      case "January":
      case "Jan": {
        const names = elem === "Jan" ? MONTHS.map((n) => n.slice(0, 3)) : MONTHS;
        const i = names.findIndex((n) => rest.toLowerCase().startsWith(n.toLowerCase()));
        if (i < 0) throw fail(rest, elem);
        month = i + 1;
        rest = rest.slice((names[i] as string).length);
        break;
      }
      case "Monday":
      case "Mon": {
        const names = elem === "Mon" ? DAYS.map((n) => n.slice(0, 3)) : DAYS;
        const i = names.findIndex((n) => rest.toLowerCase().startsWith(n.toLowerCase()));
        if (i < 0) throw fail(rest, elem);
        rest = rest.slice((names[i] as string).length);
        break;
      }
      case "01":
        month = num(2, 2, elem);
        break;
      case "1":
        month = num(1, 2, elem);
        break;
      case "02":
        day = num(2, 2, elem);
        break;
      case "_2":
        if (rest.startsWith(" ")) rest = rest.slice(1);
        day = num(1, 2, elem);
        break;
      case "2":
        day = num(1, 2, elem);
        break;
      case "15":
        hour = num(1, 2, elem);
        break;
      case "03":
      case "3":
        hour = num(elem === "03" ? 2 : 1, 2, elem);
        break;
      case "04":
      case "4":
        minute = num(elem === "04" ? 2 : 1, 2, elem);
        break;
      case "05":
      case "5": {
        second = num(elem === "05" ? 2 : 1, 2, elem);
        // a fraction may follow seconds even when the layout has none
        const next = list[index + 1];
        const m = /^[.,]\d+/.exec(rest);
        if (m && next?.kind !== "frac") {
          ms = Math.floor(Number(`0.${m[0].slice(1)}`) * 1000);
          rest = rest.slice(m[0].length);
        }
        break;
      }
      case "PM":
      case "pm": {
        const m = /^(AM|PM|am|pm)/.exec(rest);
        if (!m) throw fail(rest, elem);
        pm = (m[1] as string).toUpperCase() === "PM";
        rest = rest.slice(2);
        break;
      }
      case "MST": {
        const m = /^(UTC|GMT|[A-Z]{3,5})/.exec(rest);
        if (!m) throw fail(rest, elem);
        zone = m[1] as string;
        rest = rest.slice(zone.length);
        break;
      }
      default: {
        if (elem.startsWith("Z") && rest.startsWith("Z")) {
          rest = rest.slice(1);
          offset = 0;
          break;
        }
        const m = /^([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?/.exec(rest);
        if (!m) throw fail(rest, elem);
        offset = (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0));
        rest = rest.slice(m[0].length);
      }
    }
  }
  if (rest !== "") throw new Error(`parsing time ${q(value)}: extra text: ${q(rest)}`);
  if (pm !== undefined) {
    if (hour > 12) throw new Error(`parsing time ${q(value)}: hour out of range`);
    if (pm && hour < 12) hour += 12;
    if (!pm && hour === 12) hour = 0;
  }
  if (month < 1 || month > 12) throw new Error(`parsing time ${q(value)}: month out of range`);
  const daysIn = new Date(Date.UTC(2000, month, 0)).getUTCDate() + (month === 2 && !isLeap(year) ? -1 : 0);
  if (day < 1 || day > daysIn) throw new Error(`parsing time ${q(value)}: day out of range`);
  if (hour > 23) throw new Error(`parsing time ${q(value)}: hour out of range`);
  if (minute > 59) throw new Error(`parsing time ${q(value)}: minute out of range`);
  if (second > 59) throw new Error(`parsing time ${q(value)}: second out of range`);
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  const off = offset ?? 0;
  const zoneName = offset === undefined ? zone : offset === 0 ? "UTC" : "";
  return new GoTime(new Date(d.getTime() - off * 1000), zoneName, off);
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** time.LoadLocation, through the platform's zone data; an unknown zone is UTC as in Sprig's dateInZone. */
function inZone(t: GoTime, zone: string): GoTime {
  if (zone === "UTC" || zone === "Local" || zone === "") return new GoTime(t.date);
  try {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      timeZoneName: "shortOffset",
    }).formatToParts(t.date);
    const name = parts.find((p) => p.type === "timeZoneName")?.value ?? "GMT";
    const m = /GMT([+-]\d+)?(?::(\d+))?/.exec(name);
    const hours = Number(m?.[1] ?? 0);
    const offset = hours * 3600 + Math.sign(hours || 1) * Number(m?.[2] ?? 0) * 60;
    const abbr =
      new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "short" })
        .formatToParts(t.date)
        .find((p) => p.type === "timeZoneName")?.value ?? "";
    return new GoTime(
      t.date,
      /^[A-Z]{3,5}$/.test(abbr) ? abbr : offsetText(offset, "-07").replace(/^\+/, "+"),
      offset,
    );
  } catch {
    return new GoTime(t.date);
  }
}

/** Sprig's date argument: a time.Time, or Unix seconds as an integer; anything else is now. */
function timeOf(v: unknown): GoTime {
  if (v instanceof GoTime) return v;
  if (typeof v === "bigint") return new GoTime(new Date(Number(v) * 1000));
  return new GoTime(new Date());
}

function needTime(v: unknown): GoTime {
  if (v instanceof GoTime) return v;
  throw new Error(`wrong type for value; expected time.Time; got ${typeName(v)}`);
}

const YEAR = 365n * 24n * HOUR;
const MONTH = 30n * 24n * HOUR;
const DAY = 24n * HOUR;

/** Sprig's date functions. The machine's zone (Go's Local) is UTC here. */
export const sprigDates: Record<string, TemplateFunc> = {
  now: () => new GoTime(new Date()),
  date: (layout, t) => formatTime(inZone(timeOf(t), "Local"), str(layout)),
  dateInZone: (layout, t, zone) => formatTime(inZone(timeOf(t), str(zone)), str(layout)),
  date_in_zone: (layout, t, zone) => formatTime(inZone(timeOf(t), str(zone)), str(layout)),
  htmlDate: (t) => formatTime(inZone(timeOf(t), "Local"), "2006-01-02"),
  htmlDateInZone: (t, zone) => formatTime(inZone(timeOf(t), str(zone)), "2006-01-02"),
  unixEpoch: (t) => needTime(t).Unix().toString(),
  toDate: (layout, text) => {
    try {
      return parseTime(str(layout), str(text));
    } catch {
      return zeroTime();
    }
  },
  mustToDate: (layout, text) => parseTime(str(layout), str(text)),
  dateModify: (modifier, t) => {
    const time = needTime(t);
    try {
      return time.Add(new GoDuration(parseDuration(str(modifier))));
    } catch {
      return time;
    }
  },
  date_modify: (modifier, t) => sprigDates.dateModify?.(modifier, t),
  mustDateModify: (modifier, t) => needTime(t).Add(new GoDuration(parseDuration(str(modifier)))),
  must_date_modify: (modifier, t) => sprigDates.mustDateModify?.(modifier, t),
  ago: (t) => {
    const since = BigInt(Date.now() - timeOf(t).date.getTime()) * 1_000_000n;
    return formatDuration(roundDuration(since, SECOND));
  },
  duration: (seconds) => {
    let n = 0n;
    if (typeof seconds === "string") n = /^[+-]?\d+$/.test(seconds) ? BigInt.asIntN(64, BigInt(seconds)) : 0n;
    else if (typeof seconds === "bigint") n = seconds;
    return formatDuration(BigInt.asIntN(64, n * SECOND));
  },
  durationRound: (d) => {
    let ns = 0n;
    if (typeof d === "string") {
      try {
        ns = parseDuration(d);
      } catch {
        ns = 0n;
      }
    } else if (typeof d === "bigint") ns = d;
    else if (d instanceof GoDuration) ns = d.ns;
    else if (d instanceof GoTime) ns = BigInt(Date.now() - d.date.getTime()) * 1_000_000n;
    const u = ns < 0n ? -ns : ns;
    if (u > YEAR) return `${u / YEAR}y`;
    if (u > MONTH) return `${u / MONTH}mo`;
    if (u > DAY) return `${u / DAY}d`;
    if (u > HOUR) return `${u / HOUR}h`;
    if (u > MINUTE) return `${u / MINUTE}m`;
    if (u > SECOND) return `${u / SECOND}s`;
    return "0s";
  },
};
