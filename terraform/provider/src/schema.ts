/** cty's JSON type notation, as tfplugin6 carries an attribute's type. */
export type AttributeType =
  | "string"
  | "number"
  | "bool"
  | ["list" | "set" | "map", AttributeType]
  | ["object", Record<string, AttributeType>];

/** Attributes nested in a list of objects (`charts = [{ name = "web", … }]`), each with its own flags. */
export interface NestedList {
  list: Record<string, Attribute>;
}

export interface Attribute {
  type: AttributeType | NestedList;
  description: string;
  /** Set by the configuration (required) or possibly (optional); computed: the provider may set it. */
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
}

export interface BlockSchema {
  version: number;
  description: string;
  attributes: Record<string, Attribute>;
  /** Nested blocks written once at most (`timeouts { … }`), each a set of optional attributes. */
  blocks?: Record<string, { description: string; attributes: Record<string, Attribute> }>;
}

const PLAIN = 0;
const NESTING_SINGLE = 1;
const NESTING_LIST = 2;

const isNested = (type: Attribute["type"]): type is NestedList =>
  !Array.isArray(type) && typeof type === "object";

interface ProtoAttribute {
  name: string;
  type?: Buffer;
  nested_type?: { attributes: ProtoAttribute[]; nesting: number };
  description: string;
  description_kind: number;
  required: boolean;
  optional: boolean;
  computed: boolean;
  sensitive: boolean;
}

const protoAttributes = (attributes: Record<string, Attribute>): ProtoAttribute[] =>
  Object.entries(attributes).map(([name, attribute]) => ({
    name,
    ...(isNested(attribute.type)
      ? { nested_type: { attributes: protoAttributes(attribute.type.list), nesting: NESTING_LIST } }
      : { type: Buffer.from(JSON.stringify(attribute.type)) }),
    description: attribute.description,
    description_kind: PLAIN,
    required: attribute.required ?? false,
    optional: attribute.optional ?? false,
    computed: attribute.computed ?? false,
    sensitive: attribute.sensitive ?? false,
  }));

/** A schema as tfplugin6's Schema message (keys as in the .proto). */
export function toProtoSchema(schema: BlockSchema) {
  return {
    version: schema.version,
    block: {
      version: schema.version,
      description: schema.description,
      description_kind: PLAIN,
      attributes: protoAttributes(schema.attributes),
      block_types: Object.entries(schema.blocks ?? {}).map(([type_name, block]) => ({
        type_name,
        nesting: NESTING_SINGLE,
        block: {
          version: schema.version,
          description: block.description,
          description_kind: PLAIN,
          attributes: protoAttributes(block.attributes),
          block_types: [],
        },
      })),
    },
  };
}

/** An object of the schema's attributes and blocks from `values`, absent ones null (as Terraform expects every one). */
export function conform<T>(
  schema: BlockSchema,
  values: Record<string, T | null | undefined>,
): Record<string, T | null> {
  return Object.fromEntries(
    [...Object.keys(schema.attributes), ...Object.keys(schema.blocks ?? {})].map((name) => [
      name,
      values[name] ?? null,
    ]),
  );
}
