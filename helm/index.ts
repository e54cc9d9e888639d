export { type EngineOptions, RenderError, renderTemplates } from "./engine";
export { sprig } from "./sprig";
export { type MissingKey, TemplateExecError, type TemplateFunc, TemplateSet } from "./template/exec";
export { formatValue, sprintf } from "./template/format";
export { TemplateSyntaxError } from "./template/lexer";
