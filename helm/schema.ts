import Ajv, { type ErrorObject } from "ajv";
import Ajv2019 from "ajv/dist/2019.js";
import Ajv2020 from "ajv/dist/2020.js";
import type { Chart } from "./chart";
import { jsonValues } from "./values";

type Values = Record<string, unknown>;

const options = { strict: false, allErrors: true, validateFormats: false } as const;
const validators = { draft7: new Ajv(options), v2019: new Ajv2019(options), v2020: new Ajv2020(options) };

/** The validator for the draft a schema declares in `$schema` (draft-07 when it declares none). */
function validatorFor(schema: Values) {
  const declared = String(schema.$schema ?? "");
  if (declared.includes("2020-12")) return validators.v2020;
  if (declared.includes("2019-09")) return validators.v2019;
  return validators.draft7;
}

function problems(schemaText: string, values: Values): string {
  let schema: Values;
  try {
    schema = JSON.parse(schemaText);
  } catch (e) {
    return `- values.schema.json is not JSON: ${(e as Error).message}\n`;
  }
  const { $id: _ignored, ...anonymous } = schema;
  const ajv = validatorFor(schema);
  let validate: ReturnType<typeof ajv.compile>;
  try {
    validate = ajv.compile(anonymous);
  } catch (e) {
    return `- values.schema.json is not a valid schema: ${(e as Error).message}\n`;
  }
  if (validate(jsonValues(values))) return "";
  return (validate.errors ?? []).map((e: ErrorObject) => `- at '${e.instancePath}': ${e.message}\n`).join("");
}

/**
 * The chart's and its subcharts' values.schema.json checked against the values each will render with,
 * as Helm does before rendering; undefined when all hold, else Helm's message listing each chart's problems.
 */
export function schemaViolations(
  chart: Chart,
  values: Values,
  subValues: (path: string) => Values,
  path = chart.name,
): string | undefined {
  let out = "";
  if (chart.schema) {
    const found = problems(chart.schema, values);
    if (found) out += `${chart.name}:\n${found}`;
  }
  for (const dep of chart.dependencies ?? []) {
    const sub = `${path}/charts/${dep.name}`;
    out += schemaViolations(dep, subValues(sub), subValues, sub) ?? "";
  }
  return out || undefined;
}
