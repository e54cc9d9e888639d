import type { PriorityClass } from "../../../core/k8s/scheduling/priority";
import { AGE, column, NAME, type Printer } from "./columns";
import { since } from "./duration";

export const SCHEDULING_PRINTERS: Record<string, Printer> = {
  PriorityClass: {
    columns: [
      NAME,
      column("Value", "The value of this priority class.", { type: "integer" }),
      column(
        "Global-Default",
        "globalDefault specifies whether this PriorityClass should be considered as the default priority.",
        { type: "boolean" },
      ),
      AGE,
      column("PreemptionPolicy", "PreemptionPolicy is the Policy for preempting pods with lower priority."),
    ],
    row: (o, now) => {
      const pc = o as PriorityClass;
      return [
        pc.metadata.name,
        pc.value,
        pc.globalDefault ?? false,
        since(pc.metadata.creationTimestamp, now),
        pc.preemptionPolicy ?? "PreemptLowerPriority",
      ];
    },
  },
};
