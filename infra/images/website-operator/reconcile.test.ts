import { describe, expect, it } from "vitest";
import { desiredObjects, pageOf, statusChanged, statusOf, type Website } from "./reconcile";

const website = (spec: Website["spec"], status?: Website["status"]): Website => ({
  metadata: { name: "hello", namespace: "shop", uid: "u-1", generation: 3 },
  spec,
  ...(status ? { status } : {}),
});

// biome-ignore lint/suspicious/noExplicitAny: manifests are read freely in assertions
type Obj = Record<string, any>;

describe("desiredObjects", () => {
  it("stands for a ConfigMap, a Deployment and a Service, each controlled by the Website", () => {
    const objects = desiredObjects(website({ replicas: 3, message: "hi" })) as Obj[];
    expect(objects.map((o) => o.kind)).toEqual(["ConfigMap", "Deployment", "Service"]);
    for (const o of objects) {
      expect(o.metadata.namespace).toBe("shop");
      expect(o.metadata.name).toBe("hello");
      expect(o.metadata.ownerReferences).toEqual([
        expect.objectContaining({ kind: "Website", uid: "u-1", controller: true, blockOwnerDeletion: true }),
      ]);
    }
    const [, deployment, service] = objects as [Obj, Obj, Obj];
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.template.spec.containers[0].image).toBe("nginx:1.25");
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
  });

  it("defaults to one replica and takes the image it is given", () => {
    const [, deployment] = desiredObjects(website({}), "nginx:1.27") as Obj[];
    expect(deployment?.spec.replicas).toBe(1);
    expect(deployment?.spec.template.spec.containers[0].image).toBe("nginx:1.27");
  });

  it("rolls the pods when the page changes, not otherwise", () => {
    const hash = (spec: Website["spec"]) =>
      (desiredObjects(website(spec))[1] as Obj).spec.template.metadata.annotations[
        "examples.timonier.io/page-sha256"
      ];
    expect(hash({ message: "a" })).toBe(hash({ message: "a", replicas: 5 }));
    expect(hash({ message: "a" })).not.toBe(hash({ message: "b" }));
  });
});

describe("pageOf", () => {
  it("serves the html as written, or escapes the message into a page", () => {
    expect(pageOf(website({ html: "<p>raw</p>" }))).toBe("<p>raw</p>");
    const page = pageOf(website({ message: "<script>x</script> & co" }));
    expect(page).toContain("<h1>&#60;script&#62;x&#60;/script&#62; &#38; co</h1>");
  });
});

describe("statusOf", () => {
  const now = new Date("2026-12-04T10:00:00Z");
  const later = new Date("2026-12-04T10:05:00Z");

  it("is Creating before the Deployment reports, Progressing until every replica is ready, then Available", () => {
    const creating = statusOf(website({ replicas: 2 }), undefined, now);
    expect(creating.conditions[0]).toMatchObject({
      status: "False",
      reason: "Creating",
      message: "0/2 replicas ready",
    });
    expect(creating.observedGeneration).toBe(3);
    expect(creating.url).toBe("http://hello.shop.svc.cluster.local/");

    const progressing = statusOf(website({ replicas: 2 }), { replicas: 2, readyReplicas: 1 }, now);
    expect(progressing.conditions[0]).toMatchObject({ status: "False", reason: "Progressing" });

    const ready = statusOf(website({ replicas: 2 }), { replicas: 2, readyReplicas: 2 }, now);
    expect(ready).toMatchObject({ replicas: 2, readyReplicas: 2 });
    expect(ready.conditions[0]).toMatchObject({
      status: "True",
      reason: "Available",
      message: "2/2 replicas ready",
    });
  });

  it("keeps a condition's lastTransitionTime while its status holds, and moves it when it flips", () => {
    const first = statusOf(website({}), { replicas: 1, readyReplicas: 0 }, now);
    const same = statusOf(website({}, first), { replicas: 1, readyReplicas: 0 }, later);
    expect(same.conditions[0]?.lastTransitionTime).toBe(now.toISOString());
    const flipped = statusOf(website({}, first), { replicas: 1, readyReplicas: 1 }, later);
    expect(flipped.conditions[0]?.lastTransitionTime).toBe(later.toISOString());
  });
});

describe("statusChanged", () => {
  it("is false for the status already stored, so a resync writes nothing", () => {
    const status = statusOf(website({}), { replicas: 1, readyReplicas: 1 }, new Date());
    expect(statusChanged(undefined, status)).toBe(true);
    expect(
      statusChanged(status, statusOf(website({}, status), { replicas: 1, readyReplicas: 1 }, new Date())),
    ).toBe(false);
    expect(statusChanged(status, { ...status, readyReplicas: 0 })).toBe(true);
  });
});
