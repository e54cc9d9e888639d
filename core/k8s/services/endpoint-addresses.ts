import { isIPv4, isIPv6 } from "node:net";
import { inCidr, parseIp } from "../../network/cidr";
import { isPodAddress } from "../../network/cluster-network";
import { type FieldError, fieldErrors } from "../validation/field-errors";
import type { EndpointSlice, Endpoints } from "./types";

/** An endpoint address and the field it was written in. */
interface Located {
  field: string;
  ip: string;
}

function endpointsAddresses(ep: Endpoints): Located[] {
  const out: Located[] = [];
  for (const [i, subset] of (ep.subsets ?? []).entries())
    for (const list of ["addresses", "notReadyAddresses"] as const)
      for (const [j, address] of (subset[list] ?? []).entries())
        out.push({ field: `subsets[${i}].${list}[${j}].ip`, ip: String(address?.ip ?? "") });
  return out;
}

function sliceAddresses(slice: EndpointSlice): Located[] {
  if ((slice.addressType as string) === "FQDN") return [];
  return (slice.endpoints ?? []).flatMap((e, i) =>
    (e?.addresses ?? []).map((ip, j) => ({ field: `endpoints[${i}].addresses[${j}]`, ip: String(ip) })),
  );
}

/** The IP addresses an Endpoints or EndpointSlice routes to (FQDN slices route nowhere of ours). */
export function endpointAddresses(obj: Endpoints | EndpointSlice): Located[] {
  return obj.kind === "EndpointSlice" || "addressType" in obj
    ? sliceAddresses(obj as EndpointSlice)
    : endpointsAddresses(obj);
}

/** An IPv4 address, or the IPv4 inside an IPv4-mapped IPv6 one, as Go's net.IP sees them. */
function ipv4Of(ip: string): number | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  return parseIp(mapped ?? ip);
}

/**
 * kube-apiserver's ValidateEndpointIP: unspecified, loopback, link-local and link-local multicast
 * addresses are refused, as they name the node itself or its metadata services rather than a pod.
 */
export function specialIpErrors(field: string, ip: string): FieldError[] {
  if (!isIPv4(ip) && !isIPv6(ip)) return [fieldErrors.invalid(field, ip, "must be a valid IP address")];
  const v4 = ipv4Of(ip);
  const v6 = v4 === undefined ? ip.toLowerCase() : undefined;
  const errors: FieldError[] = [];
  if (v4 === 0 || v6 === "::" || v6 === "0:0:0:0:0:0:0:0")
    errors.push(fieldErrors.invalid(field, ip, `may not be unspecified (${ip})`));
  if ((v4 !== undefined && inCidr("127.0.0.0/8", v4)) || v6 === "::1")
    errors.push(fieldErrors.invalid(field, ip, "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
  if ((v4 !== undefined && inCidr("169.254.0.0/16", v4)) || /^fe[89ab]/.test(v6 ?? ""))
    errors.push(
      fieldErrors.invalid(field, ip, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"),
    );
  if ((v4 !== undefined && inCidr("224.0.0.0/24", v4)) || /^ff[0-9a-f]2:/.test(v6 ?? ""))
    errors.push(
      fieldErrors.invalid(
        field,
        ip,
        "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)",
      ),
    );
  return errors;
}

/** kube-apiserver's checks of every address an Endpoints or EndpointSlice lists. Pure. */
export function validateEndpointAddresses(obj: Endpoints | EndpointSlice): FieldError[] {
  return endpointAddresses(obj).flatMap(({ field, ip }) => specialIpErrors(field, ip));
}

/**
 * The platform's rule on top of kube-apiserver's: a cluster routes only to its own pods, so every address
 * must be a pod address of the cluster's range (not the bridge's gateway, which is the node). Without it a hand-written slice could point a NodePort at the
 * platform's own services or at another student's pods. Pure.
 */
export function addressesOutsidePodRange(
  obj: Endpoints | EndpointSlice,
  podRange: string,
  /** An address allowed besides the pods' (the platform's own endpoint of `default/kubernetes`). */
  also?: string,
): FieldError[] {
  return endpointAddresses(obj).flatMap(({ field, ip }) =>
    isPodAddress(podRange, ip) || ip === also
      ? []
      : [fieldErrors.invalid(field, ip, `must be a pod address of this cluster's network ${podRange}`)],
  );
}
