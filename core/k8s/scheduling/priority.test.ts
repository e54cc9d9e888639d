import { describe, expect, it } from "vitest";
import { type PriorityClass, resolvePriority } from "./priority";
import { validatePriorityClass, validatePriorityClassUpdate } from "./priority-validation";

const pc = (name: string, value: number, extra: Partial<PriorityClass> = {}): PriorityClass => ({
  apiVersion: "scheduling.k8s.io/v1",
  kind: "PriorityClass",
  metadata: { name },
  value,
  ...extra,
});

describe("resolvePriority", () => {
  it("takes the value and preemption policy of the named class", () => {
    expect(
      resolvePriority({ priorityClassName: "high" }, [pc("high", 1000, { preemptionPolicy: "Never" })]),
    ).toEqual({
      priorityClassName: "high",
      priority: 1000,
      preemptionPolicy: "Never",
    });
  });

  it("knows the built-in classes even when they are not stored", () => {
    expect(resolvePriority({ priorityClassName: "system-node-critical" }, [])).toMatchObject({
      priority: 2000001000,
    });
  });

  it("refuses an unknown class with kube's message", () => {
    expect(resolvePriority({ priorityClassName: "nope" }, [])).toEqual({
      refused: "no PriorityClass with name nope was found",
    });
  });

  it("applies the globalDefault class, naming it on the pod; 0 without one", () => {
    expect(resolvePriority({}, [pc("low", 5), pc("default", 100, { globalDefault: true })])).toEqual({
      priorityClassName: "default",
      priority: 100,
      preemptionPolicy: "PreemptLowerPriority",
    });
    expect(resolvePriority({}, [pc("low", 5)])).toEqual({
      priority: 0,
      preemptionPolicy: "PreemptLowerPriority",
    });
  });

  it("refuses a spec priority that disagrees with the class", () => {
    expect(resolvePriority({ priorityClassName: "high", priority: 7 }, [pc("high", 1000)])).toEqual({
      refused:
        "the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name",
    });
    expect(resolvePriority({ priorityClassName: "high", priority: 1000 }, [pc("high", 1000)])).toMatchObject({
      priority: 1000,
    });
  });
});

describe("PriorityClass validation", () => {
  it("reserves system- names and caps user values", () => {
    expect(validatePriorityClass(pc("system-mine", 10))).toEqual([
      expect.objectContaining({
        field: "metadata.name",
        detail: "priority class names with 'system-' prefix are reserved for system use only",
      }),
    ]);
    expect(validatePriorityClass(pc("huge", 2_000_000_000))).toEqual([
      expect.objectContaining({
        field: "value",
        detail: "maximum allowed value of a user defined priority is 1000000000",
      }),
    ]);
    expect(validatePriorityClass(pc("ok", -5))).toEqual([]);
  });

  it("keeps value and preemptionPolicy immutable", () => {
    const fields = validatePriorityClassUpdate(pc("a", 2, { preemptionPolicy: "Never" }), pc("a", 1)).map(
      (e) => e.field,
    );
    expect(fields).toEqual(["value", "preemptionPolicy"]);
  });
});
