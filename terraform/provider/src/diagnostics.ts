export interface Diagnostic {
  severity: "error" | "warning";
  summary: string;
  detail?: string;
  /** The top-level attribute the diagnostic is about, shown by Terraform at its place in the configuration. */
  attribute?: string;
}

export const error = (summary: string, detail?: string, attribute?: string): Diagnostic => ({
  severity: "error",
  summary,
  ...(detail === undefined ? {} : { detail }),
  ...(attribute === undefined ? {} : { attribute }),
});

/** A diagnostic as tfplugin6's Diagnostic message. */
export function toProtoDiagnostic(diagnostic: Diagnostic) {
  return {
    severity: diagnostic.severity === "error" ? 1 : 2,
    summary: diagnostic.summary,
    detail: diagnostic.detail ?? "",
    ...(diagnostic.attribute ? { attribute: { steps: [{ attribute_name: diagnostic.attribute }] } } : {}),
  };
}
