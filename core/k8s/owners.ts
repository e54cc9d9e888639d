import { randomBytes } from "node:crypto";
import type { KubeObject, OwnerReference } from "./types";

/** The ownerReference a controller puts on what it creates. */
export function controllerRef(owner: Pick<KubeObject, "apiVersion" | "kind" | "metadata">): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? "",
    uid: owner.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  return obj.metadata.ownerReferences?.some((r) => r.controller && r.uid === owner.metadata.uid) ?? false;
}

const SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** `generateName` completion: the prefix (cut to fit) and five random characters, as the apiserver does. */
export function generateName(prefix: string): string {
  const suffix = [...randomBytes(5)].map((b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join("");
  return `${prefix.slice(0, 58)}${suffix}`;
}
