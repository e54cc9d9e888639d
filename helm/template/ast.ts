/** Syntax tree of a parsed template; `pos` fields are byte offsets into the source for error messages. */
export type Node =
  | { type: "text"; text: string }
  | { type: "action"; pos: number; pipe: Pipeline }
  | ControlNode
  | { type: "template"; pos: number; name: string; pipe: Pipeline | undefined }
  | { type: "break" | "continue"; pos: number };

/** `if`, `with` and `range`: a pipeline, a body and an optional `else` body. */
export interface ControlNode {
  type: "if" | "with" | "range";
  pos: number;
  pipe: Pipeline;
  list: Node[];
  elseList: Node[] | undefined;
}

export interface Pipeline {
  pos: number;
  /** variables declared (`:=`) or assigned (`=`) by this pipeline */
  decl: string[];
  isAssign: boolean;
  cmds: Command[];
}

export interface Command {
  pos: number;
  args: Arg[];
}

export type Arg =
  | { type: "field"; pos: number; chain: string[] }
  | { type: "variable"; pos: number; name: string; chain: string[] }
  | { type: "identifier"; pos: number; name: string }
  | { type: "dot"; pos: number }
  | { type: "nil"; pos: number }
  | { type: "bool"; pos: number; value: boolean }
  | { type: "number"; pos: number; text: string; value: number | bigint; isFloat: boolean }
  | { type: "string"; pos: number; value: string; text: string }
  | { type: "pipeline"; pos: number; pipe: Pipeline; chain: string[] };

/** A named template with its source, kept for error positions. */
export interface Tree {
  name: string;
  /** The file the tree was parsed from, which errors name (a `define`'s file, not the define). */
  parseName: string;
  src: string;
  root: Node[];
}
