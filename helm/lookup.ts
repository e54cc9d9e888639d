type Obj = {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  [key: string]: unknown;
};

/** Helm's `lookup apiVersion kind namespace name`: one object, or a list when `name` is empty; `{}` when absent. */
export type Lookup = (
  apiVersion: string,
  kind: string,
  namespace: string,
  name: string,
) => Record<string, unknown>;

/**
 * `lookup` answered from a snapshot of the cluster's objects. An empty namespace means every namespace;
 * cluster-scoped objects (no namespace) match whatever namespace is asked.
 */
export function lookupIn(objects: Obj[]): Lookup {
  return (apiVersion, kind, namespace, name) => {
    const matching = objects.filter(
      (o) =>
        o.apiVersion === apiVersion &&
        o.kind === kind &&
        (!namespace || !o.metadata?.namespace || o.metadata.namespace === namespace),
    );
    if (!name) return { apiVersion, kind: `${kind}List`, metadata: {}, items: matching };
    return matching.find((o) => o.metadata?.name === name) ?? {};
  };
}
