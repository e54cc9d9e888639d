import type { CrdNames, CustomResourceDefinition } from "./types";

/** Why a CRD's names cannot be accepted: kube-apiserver's naming controller's reason and message. */
export interface NameConflict {
  reason: "PluralConflict" | "SingularConflict" | "ShortNamesConflict" | "KindConflict" | "ListKindConflict";
  message: string;
}

const namesOf = (crd: CustomResourceDefinition): CrdNames | undefined =>
  crd.status?.acceptedNames?.kind ? crd.status.acceptedNames : undefined;

/**
 * The first of a CRD's names that another CRD of its group has accepted already, as the naming controller
 * checks them: plural, singular, short names, kind, list kind. Pure.
 */
export function nameConflict(
  crd: CustomResourceDefinition,
  others: CustomResourceDefinition[],
): NameConflict | undefined {
  const taken = others
    .filter((o) => o.metadata.name !== crd.metadata.name && o.spec.group === crd.spec.group)
    .map(namesOf)
    .filter((n): n is CrdNames => n !== undefined);
  const resources = new Set(taken.flatMap((n) => [n.plural, n.singular ?? "", ...(n.shortNames ?? [])]));
  const kinds = new Set(taken.flatMap((n) => [n.kind, n.listKind ?? ""]));
  const { plural, singular, shortNames, kind, listKind } = crd.spec.names;
  const inUse = (name: string) => `"${name}" is already in use`;
  if (resources.has(plural)) return { reason: "PluralConflict", message: inUse(plural) };
  if (singular && resources.has(singular)) return { reason: "SingularConflict", message: inUse(singular) };
  const short = (shortNames ?? []).find((s) => resources.has(s));
  if (short) return { reason: "ShortNamesConflict", message: inUse(short) };
  if (kinds.has(kind)) return { reason: "KindConflict", message: inUse(kind) };
  if (listKind && kinds.has(listKind)) return { reason: "ListKindConflict", message: inUse(listKind) };
  return undefined;
}

/**
 * The CRD's status when a name is taken: NamesAccepted False, the names accepted before kept, and Established
 * only if it was before (an established CRD stays served under its accepted names).
 */
export function withNameConflict(
  crd: CustomResourceDefinition,
  conflict: NameConflict,
  previous: CustomResourceDefinition | undefined,
): void {
  const wasEstablished =
    previous?.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ?? false;
  const conditions = (crd.status?.conditions ?? []).map((c) => {
    if (c.type === "NamesAccepted") return { ...c, status: "False" as const, ...conflict };
    if (c.type === "Established" && !wasEstablished)
      return { ...c, status: "False" as const, reason: "NotAccepted", message: "not all names are accepted" };
    return c;
  });
  crd.status = {
    ...crd.status,
    conditions,
    acceptedNames: previous?.status?.acceptedNames ?? { plural: "", kind: "" },
  };
}
