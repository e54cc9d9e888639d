import { describe, expect, it } from "vitest";
import { errorBody } from "../validation/field-errors";
import { addressesOutsidePodRange, specialIpErrors, validateEndpointAddresses } from "./endpoint-addresses";
import type { EndpointSlice, Endpoints } from "./types";

const messages = (ip: string) => specialIpErrors("f", ip).map(errorBody);

describe("endpoint addresses as kube-apiserver validates them", () => {
  it("refuses unspecified, loopback, link-local and link-local multicast addresses", () => {
    expect(messages("0.0.0.0")).toEqual(['Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)']);
    expect(messages("127.0.0.1")).toEqual([
      'Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    ]);
    expect(messages("127.200.3.4")).toHaveLength(1);
    expect(messages("::1")).toHaveLength(1);
    expect(messages("::ffff:127.0.0.1")).toHaveLength(1);
    expect(messages("169.254.169.254")).toEqual([
      'Invalid value: "169.254.169.254": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
    ]);
    expect(messages("fe80::1")).toHaveLength(1);
    expect(messages("224.0.0.251")).toEqual([
      'Invalid value: "224.0.0.251": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
    ]);
    expect(messages("localhost")).toEqual(['Invalid value: "localhost": must be a valid IP address']);
  });

  it("accepts ordinary addresses", () => {
    expect(messages("10.128.0.5")).toEqual([]);
    expect(messages("192.168.1.1")).toEqual([]);
    expect(messages("224.0.1.1")).toEqual([]);
  });

  it("names the field of each address of Endpoints and EndpointSlices", () => {
    const ep: Endpoints = {
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: { name: "x" },
      subsets: [{ addresses: [{ ip: "10.0.0.1" }], notReadyAddresses: [{ ip: "127.0.0.1" }] }],
    };
    expect(validateEndpointAddresses(ep).map((e) => e.field)).toEqual(["subsets[0].notReadyAddresses[0].ip"]);
    const slice = {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: "x" },
      addressType: "IPv4",
      endpoints: [{ addresses: ["10.0.0.1", "169.254.1.1"], conditions: {} }],
      ports: [],
    } as unknown as EndpointSlice;
    expect(validateEndpointAddresses(slice).map((e) => e.field)).toEqual(["endpoints[0].addresses[1]"]);
  });
});

describe("the platform's rule: endpoints lie in the cluster's pod range", () => {
  const slice = (addresses: string[]) =>
    ({
      metadata: { name: "x" },
      addressType: "IPv4",
      endpoints: [{ addresses, conditions: {} }],
      ports: [],
    }) as unknown as EndpointSlice;

  it("accepts the cluster's pod addresses and refuses any other", () => {
    expect(addressesOutsidePodRange(slice(["10.128.0.2", "10.128.0.254"]), "10.128.0.0/24")).toEqual([]);
    const refused = addressesOutsidePodRange(slice(["10.128.1.10", "10.200.0.2"]), "10.128.0.0/24");
    expect(refused.map((e) => `${e.field}: ${errorBody(e)}`)).toEqual([
      'endpoints[0].addresses[0]: Invalid value: "10.128.1.10": must be a pod address of this cluster\'s network 10.128.0.0/24',
      'endpoints[0].addresses[1]: Invalid value: "10.200.0.2": must be a pod address of this cluster\'s network 10.128.0.0/24',
    ]);
  });

  it("refuses the bridge's gateway, the network and broadcast addresses: they are the node, not a pod", () => {
    const refused = addressesOutsidePodRange(
      slice(["10.128.0.1", "10.128.0.0", "10.128.0.255"]),
      "10.128.0.0/24",
    );
    expect(refused).toHaveLength(3);
  });

  it("does not route FQDN slices anywhere, so has nothing to check there", () => {
    const fqdn = { ...slice(["db.example"]), addressType: "FQDN" } as unknown as EndpointSlice;
    expect(addressesOutsidePodRange(fqdn, "10.128.0.0/24")).toEqual([]);
  });
});
