import type { Arg, Command, Node, Pipeline } from "./ast";

/** Renders a node back to source the way Go's parse.Node.String does, for error contexts. */
export function argString(a: Arg): string {
  switch (a.type) {
    case "field":
      return `.${a.chain.join(".")}`;
    case "variable":
      return [a.name, ...a.chain].join(".");
    case "identifier":
      return a.name;
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "bool":
      return String(a.value);
    case "number":
      return a.text;
    case "string":
      return a.text;
    case "pipeline":
      return [`(${pipeString(a.pipe)})`, ...a.chain].join(".");
  }
}

export function commandString(c: Command): string {
  return c.args.map(argString).join(" ");
}

export function pipeString(p: Pipeline): string {
  const decl = p.decl.length > 0 ? `${p.decl.join(", ")} ${p.isAssign ? "=" : ":="} ` : "";
  return decl + p.cmds.map(commandString).join(" | ");
}

export function nodeString(n: Node): string {
  switch (n.type) {
    case "text":
      return n.text;
    case "action":
      return `{{${pipeString(n.pipe)}}}`;
    case "template":
      return n.pipe ? `{{template "${n.name}" ${pipeString(n.pipe)}}}` : `{{template "${n.name}"}}`;
    case "break":
    case "continue":
      return `{{${n.type}}}`;
    default: {
      const body = n.list.map(nodeString).join("");
      const els = n.elseList ? `{{else}}${n.elseList.map(nodeString).join("")}` : "";
      return `{{${n.type} ${pipeString(n.pipe)}}}${body}${els}{{end}}`;
    }
  }
}
