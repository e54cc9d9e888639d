import { type FieldError, fieldErrors } from "../validation/field-errors";
import {
  HIGHEST_USER_DEFINABLE_PRIORITY,
  isSystemPriorityClass,
  type PriorityClass,
  SYSTEM_PRIORITY_CLASS_PREFIX,
  SYSTEM_PRIORITY_CLASSES,
} from "./priority";

/** A new PriorityClass, as kube-apiserver validates it (metadata is checked apart). */
export function validatePriorityClass(pc: PriorityClass): FieldError[] {
  const errs: FieldError[] = [];
  const name = pc.metadata.name ?? "";
  if (typeof pc.value !== "number" || !Number.isInteger(pc.value))
    errs.push(fieldErrors.required("value", ""));
  const system = SYSTEM_PRIORITY_CLASSES.find((c) => c.metadata.name === name);
  if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    if (!system)
      errs.push(
        fieldErrors.forbidden(
          "metadata.name",
          `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only`,
        ),
      );
    else if (pc.value !== system.value)
      errs.push(fieldErrors.forbidden("value", `value of ${name} PriorityClass must be ${system.value}`));
  } else if (typeof pc.value === "number" && pc.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(
      fieldErrors.forbidden(
        "value",
        `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`,
      ),
    );
  }
  if (
    pc.preemptionPolicy !== undefined &&
    pc.preemptionPolicy !== "PreemptLowerPriority" &&
    pc.preemptionPolicy !== "Never"
  )
    errs.push(
      fieldErrors.notSupported("preemptionPolicy", pc.preemptionPolicy, ["Never", "PreemptLowerPriority"]),
    );
  return errs;
}

/** value and preemptionPolicy are immutable; system classes cannot change at all. */
export function validatePriorityClassUpdate(next: PriorityClass, current: PriorityClass): FieldError[] {
  const errs = validatePriorityClass(next);
  if (next.value !== current.value)
    errs.push(fieldErrors.forbidden("value", "may not be changed in an update."));
  if (
    (next.preemptionPolicy ?? "PreemptLowerPriority") !== (current.preemptionPolicy ?? "PreemptLowerPriority")
  )
    errs.push(fieldErrors.invalid("preemptionPolicy", next.preemptionPolicy, "field is immutable"));
  if (isSystemPriorityClass(current.metadata.name ?? "") && next.globalDefault !== current.globalDefault)
    errs.push(
      fieldErrors.forbidden("globalDefault", "may not be changed in an update of a system priority class"),
    );
  return errs;
}
