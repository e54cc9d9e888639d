import type { Client } from "./client";
import type { Diagnostic } from "./diagnostics";
import type { PlanInput, Planned } from "./plan";
import type { BlockSchema } from "./schema";
import type { ObjectValue, Value } from "./values";

/** A managed resource type: its schema, its plan decisions and its calls to the management API. */
export interface ResourceType {
  schema: BlockSchema;
  /** The management API's body fields named like attributes: its errors about them point at the attribute. */
  fields: Record<string, string>;
  validate(config: ObjectValue): Diagnostic[];
  plan(input: PlanInput): Planned;
  create(client: Client, planned: ObjectValue): Promise<ObjectValue>;
  /** The object as it is now, or null when it is gone (Terraform then plans to create it again). */
  read(client: Client, state: ObjectValue): Promise<ObjectValue | null>;
  update(client: Client, prior: ObjectValue, planned: ObjectValue): Promise<ObjectValue>;
  delete(client: Client, state: ObjectValue): Promise<void>;
  /** The state `terraform import` starts from before reading the object. */
  imported(id: string): ObjectValue;
}

/** A data source type: its schema and how it reads. */
export interface DataSourceType {
  schema: BlockSchema;
  read(client: Client, config: ObjectValue): Promise<Value>;
}
