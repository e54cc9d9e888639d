/**
 * The protocol between the API and the node agents (the kubelet's role), in one place for both sides:
 * where each request goes and what its query says (requests.ts), the ticket that proves the API asked for
 * it (tickets.ts), and what travels on the streams (remotecommand.ts, port-forward.ts).
 */
export * from "./port-forward";
export * from "./remotecommand";
export * from "./requests";
export * from "./tickets";
