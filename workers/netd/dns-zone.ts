import type { Answer, Packet, Question } from "dns-packet";
import type { DnsZone } from "./config";

const TTL = 5;
const POD_NAME = /^(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})\.[a-z0-9-]+\.pod\./;

function soa(zone: DnsZone): Answer {
  return {
    type: "SOA",
    name: zone.domain,
    ttl: TTL,
    data: {
      mname: `ns.dns.${zone.domain}`,
      rname: `hostmaster.${zone.domain}`,
      serial: 1,
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: TTL,
    },
  };
}

/** ANY is not in dns-packet's type list, but resolvers still send it. */
function wants(q: Question, type: string): boolean {
  return q.type === type || (q.type as string) === "ANY";
}

function answersFor(zone: DnsZone, q: Question, name: string): Answer[] | undefined {
  const record = zone.records[name];
  const podIp = POD_NAME.exec(`${name}.`);
  if (!record) {
    if (podIp && name.endsWith(`.pod.${zone.domain}`))
      return wants(q, "A") ? [{ type: "A", name: q.name, ttl: TTL, data: podIp.slice(1, 5).join(".") }] : [];
    return undefined;
  }
  if (record.cname) return [{ type: "CNAME", name: q.name, ttl: TTL, data: record.cname }];
  if (wants(q, "A") && record.a)
    return record.a.map((ip) => ({ type: "A", name: q.name, ttl: TTL, data: ip }));
  if (wants(q, "SRV") && record.srv)
    return record.srv.map((s) => ({ type: "SRV", name: q.name, ttl: TTL, data: s }));
  return [];
}

/** Whether any record lives below `name`: such a name exists (NODATA), it is not NXDOMAIN. */
function hasChildren(zone: DnsZone, name: string): boolean {
  const suffix = `.${name}`;
  return Object.keys(zone.records).some((r) => r.endsWith(suffix));
}

/**
 * The answer to a query for a name of the cluster's zone, with authority: records, NODATA (the name exists,
 * not with that type) or NXDOMAIN. `undefined` for names outside the zone, which go upstream. Pure.
 */
export function answer(zone: DnsZone, query: Packet): Packet | undefined {
  const q = query.questions?.[0];
  if (!q) return undefined;
  const name = q.name.toLowerCase().replace(/\.$/, "");
  if (name !== zone.domain && !name.endsWith(`.${zone.domain}`)) return undefined;
  const answers = answersFor(zone, q, name);
  const exists = answers !== undefined || name === zone.domain || hasChildren(zone, name);
  return {
    id: query.id,
    type: "response",
    flags: 0x0400 | 0x0100 | 0x0080 | (exists ? 0 : 3),
    questions: [q],
    answers: answers ?? [],
    authorities: answers?.length ? [] : [soa(zone)],
  };
}
