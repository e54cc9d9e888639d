import { createRoute, z } from "@hono/zod-openapi";
import { CHECK_OPS } from "../../../core/checks";
import { ROSTER_LIMIT } from "../../../core/tenants";
import { BudgetSchema, ClusterName, ClusterSchema, ErrorSchema } from "../clusters/routes";

const json = (schema: z.ZodTypeAny, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const BudgetInput = z
  .object({
    memory: z.string().optional().openapi({ example: "4Gi" }),
    cpu: z.string().optional().openapi({ example: "2" }),
    pods: z.number().int().min(0).optional().openapi({ example: 20 }),
    storage: z.string().optional().openapi({ example: "32Mi" }),
  })
  .strict();

const Duration = z
  .string()
  .regex(/^(\d+d)?(\d+h)?(\d+m)?(\d+s)?$/, "must be a duration such as 72h, 90m, 1h30m or 7d")
  .min(2);

const TenantChartInput = z
  .object({
    name: ClusterName.openapi({ description: "The release's name in each cluster", example: "web" }),
    namespace: ClusterName.default("default").openapi({ example: "default" }),
    chart: z
      .object({
        catalog: z
          .string()
          .optional()
          .openapi({ description: "A chart of the built-in catalog: web, batch, redis", example: "web" }),
        files: z.record(z.string(), z.string()).optional().openapi({
          description:
            "An uploaded chart's files by chart-relative path (packaged subcharts charts/*.tgz base64-encoded)",
        }),
        archive: z.string().optional().openapi({ description: "An uploaded packaged chart (.tgz), base64" }),
      })
      .strict()
      .refine((c) => [c.files, c.archive, c.catalog].filter((x) => x !== undefined).length === 1, {
        message: "give exactly one of files, archive or catalog",
      }),
    values: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const settingsFields = {
  budget: BudgetInput.openapi({
    description:
      "Each student cluster's budget where it differs from the platform's (sums of its running pods' memory and CPU limits, its pods, its objects' storage); a teacher may set each amount up to the ceiling",
  }),
  clusterLifetime: Duration.openapi({
    description:
      "How long a new cluster lives: its expiresAt, past which it is deleted with everything it ran",
    example: "72h",
  }),
  idleBeforeSleep: Duration.openapi({
    description:
      "How long a cluster may go without a request to its Kubernetes API before it sleeps: its containers are removed, its objects and volumes kept, and its next request wakes it",
    example: "2h",
  }),
  charts: z.array(TenantChartInput).max(10).openapi({
    description:
      "Charts installed as Helm releases into every new cluster of the class (and again into a reset one), within moments of its creation and off the request: `GET /v1/clusters/{id}/releases` shows each, deployed, or failed with Helm's reason. Validated here (an unknown catalog chart is a 422); a change applies to clusters made afterwards",
  }),
};

export const CreateTenantSchema = z
  .object({
    name: ClusterName.openapi({ example: "k8s-101" }),
    ...settingsFields,
    ceiling: BudgetInput.openapi({
      description: "The most its teacher may set as a budget (default: the platform's default budget)",
    }),
  })
  .partial({ budget: true, clusterLifetime: true, idleBeforeSleep: true, charts: true, ceiling: true })
  .strict()
  .openapi("CreateTenant");

export const UpdateTenantSchema = z
  .object({
    budget: settingsFields.budget.nullable().openapi({
      description: "Changes the amounts given, the others keep theirs; null: the platform's defaults again",
    }),
    ceiling: BudgetInput.nullable().openapi({
      description:
        "Admin only: changes the ceiling's amounts given; null: the platform's default budget again",
    }),
    clusterLifetime: settingsFields.clusterLifetime.nullable(),
    idleBeforeSleep: settingsFields.idleBeforeSleep.nullable(),
    charts: settingsFields.charts.openapi({ description: "Replaces the class's charts" }),
  })
  .partial()
  .strict()
  .openapi("UpdateTenant");

const TenantChartView = z.object({
  name: z.string(),
  namespace: z.string(),
  catalog: z.string().optional(),
  chart: z.string().openapi({ description: "The chart's name-version", example: "web-0.1.0" }),
  values: z.record(z.string(), z.unknown()).optional(),
});

export const TenantSchema = z
  .object({
    name: z.string(),
    phase: z.enum(["Active", "Terminating"]),
    createdAt: z.string(),
    clusters: z.number().int().openapi({ description: "How many clusters the class has" }),
    teacherToken: z
      .enum(["active", "none"])
      .openapi({ description: "Whether a teacher token opens the class (none: never made, or revoked)" }),
    budget: BudgetSchema.openapi({
      description: "Each student cluster's budget (the class's amounts, the platform's for the others)",
    }),
    ceiling: BudgetSchema.openapi({ description: "The most a teacher may set as a budget" }),
    clusterLifetime: z.string().nullable(),
    idleBeforeSleep: z.string().nullable(),
    charts: z.array(TenantChartView),
  })
  .openapi("Tenant");

const TokenSchema = z
  .object({
    teacherToken: z.string().openapi({
      description: "The teacher token, shown this once (only its hash is kept)",
      example: "tmt_…",
    }),
  })
  .openapi("TeacherToken");

export const RosterSchema = z
  .object({
    students: z
      .array(ClusterName)
      .min(1)
      .max(ROSTER_LIMIT, `a roster holds at most ${ROSTER_LIMIT} students in one request`)
      .openapi({ example: ["alice", "bob"] }),
  })
  .strict()
  .openapi("Roster");

const RosterEntry = ClusterSchema.extend({
  student: z.string(),
  created: z.boolean().openapi({ description: "false: the student already had this cluster" }),
  kubeconfig: z.string(),
}).openapi("RosterEntry");

const NameParam = z.object({ name: z.string().openapi({ param: { name: "name", in: "path" } }) });
const StudentParams = NameParam.extend({
  student: z.string().openapi({ param: { name: "student", in: "path" } }),
});
const FormatQuery = z.object({
  format: z
    .enum(["json", "tar"])
    .optional()
    .openapi({
      param: { name: "format", in: "query" },
      description: "tar: one gzipped tar of <student>.yaml kubeconfigs (as Accept: application/gzip)",
    }),
});

const errors = {
  400: json(ErrorSchema, "Invalid request (a field named)"),
  401: json(ErrorSchema, "Missing token"),
  403: json(ErrorSchema, "Token refused, admin only, or outside the teacher token's class"),
} as const;
const notFound = { 404: json(ErrorSchema, "No such tenant") } as const;

export const createTenant = createRoute({
  method: "post",
  path: "/tenants",
  summary: "Create a class (admin) and its teacher token",
  request: { body: { content: { "application/json": { schema: CreateTenantSchema } }, required: true } },
  responses: {
    201: json(TenantSchema.extend(TokenSchema.shape).openapi("TenantWithToken"), "Created"),
    409: json(ErrorSchema, "Name taken"),
    422: json(ErrorSchema, "A budget above the ceiling, an unknown or unreadable chart"),
    ...errors,
  },
});

export const listTenants = createRoute({
  method: "get",
  path: "/tenants",
  summary: "List classes (a teacher sees their own)",
  responses: { 200: json(z.object({ items: z.array(TenantSchema) }), "Classes"), ...errors },
});

export const getTenant = createRoute({
  method: "get",
  path: "/tenants/{name}",
  summary: "A class and its settings",
  request: { params: NameParam },
  responses: { 200: json(TenantSchema, "The class"), ...errors, ...notFound },
});

export const updateTenant = createRoute({
  method: "patch",
  path: "/tenants/{name}",
  summary: "Change a class's settings",
  description:
    "A new budget applies to the class's clusters at once (new pods), where a cluster has no budget of its own. Only the admin changes the ceiling.",
  request: {
    params: NameParam,
    body: { content: { "application/json": { schema: UpdateTenantSchema } }, required: true },
  },
  responses: {
    200: json(TenantSchema, "The class"),
    422: json(ErrorSchema, "A budget above the ceiling, an unknown or unreadable chart"),
    ...errors,
    ...notFound,
  },
});

export const deleteTenant = createRoute({
  method: "delete",
  path: "/tenants/{name}",
  summary: "Delete a class (admin): every cluster of it is torn down, then the class is gone",
  request: { params: NameParam },
  responses: { 202: json(TenantSchema, "Teardown started"), ...errors, ...notFound },
});

export const rotateTeacherToken = createRoute({
  method: "post",
  path: "/tenants/{name}/token",
  summary: "Make a new teacher token; the previous one is refused at once",
  request: { params: NameParam },
  responses: { 200: json(TokenSchema, "The new token, shown once"), ...errors, ...notFound },
});

export const revokeTeacherToken = createRoute({
  method: "delete",
  path: "/tenants/{name}/token",
  summary: "Revoke the teacher token, at once; POST …/token makes a new one",
  request: { params: NameParam },
  responses: { 204: { description: "Revoked" }, ...errors, ...notFound },
});

export const postRoster = createRoute({
  method: "post",
  path: "/tenants/{name}/students",
  summary: "Create a cluster for every student of a roster who has none",
  description: `Idempotent by name: students who already have a cluster get it back (created: false). At most ${ROSTER_LIMIT} names a request; all or nothing. With Accept: application/gzip or ?format=tar, the kubeconfigs come as one gzipped tar of <student>.yaml.`,
  request: {
    params: NameParam,
    query: FormatQuery,
    body: { content: { "application/json": { schema: RosterSchema } }, required: true },
  },
  responses: {
    200: {
      description: "Every student's cluster and kubeconfig",
      content: {
        "application/json": { schema: z.object({ items: z.array(RosterEntry) }) },
        "application/gzip": { schema: z.string().openapi({ format: "binary" }) },
      },
    },
    409: json(ErrorSchema, "The class, or some students' clusters, are being deleted"),
    503: json(ErrorSchema, "No address block is left for new clusters"),
    ...errors,
    ...notFound,
  },
});

export const removeStudent = createRoute({
  method: "delete",
  path: "/tenants/{name}/students/{student}",
  summary: "Tear a student's cluster down",
  request: { params: StudentParams },
  responses: {
    202: json(ClusterSchema, "Teardown started"),
    ...errors,
    404: json(ErrorSchema, "No such tenant or student"),
  },
});

const TroubleSchema = z.object({
  namespace: z.string(),
  pod: z.string(),
  reason: z.string().openapi({ example: "CrashLoopBackOff" }),
  message: z.string().optional(),
});

export const OverviewSchema = z
  .object({
    tenant: z.string(),
    students: z.array(
      z.object({
        student: z.string(),
        clusterId: z.uuid(),
        phase: z.string(),
        lastActivity: z
          .string()
          .nullable()
          .openapi({ description: "The student's last request to the cluster's API" }),
        pods: z
          .record(z.string(), z.number())
          .openapi({ description: "Pods by phase", example: { Running: 2 } }),
        failing: z.array(TroubleSchema).openapi({ description: "Pods that need an eye, with why" }),
        budget: BudgetSchema,
        usage: BudgetSchema,
      }),
    ),
  })
  .openapi("ClassOverview");

export const classOverview = createRoute({
  method: "get",
  path: "/tenants/{name}/overview",
  summary: "The class at a glance: per student, the cluster's phase, last activity, pods and what fails",
  request: { params: NameParam },
  responses: { 200: json(OverviewSchema, "The class"), ...errors, ...notFound },
});

const CheckSchema = z
  .object({
    name: z.string().min(1).max(63),
    resource: z.string().openapi({ example: "deployment/monnginx" }),
    namespace: ClusterName.optional().openapi({ description: "default when left out" }),
    jsonPath: z.string().openapi({ example: "{.status.readyReplicas}" }),
    op: z.enum(CHECK_OPS),
    value: z.string().optional().openapi({ example: "2" }),
  })
  .strict()
  .openapi("ExerciseCheck");

export const setChecks = createRoute({
  method: "post",
  path: "/tenants/{name}/checks",
  summary: "Set the class's exercise checks (replacing the ones it had)",
  request: {
    params: NameParam,
    body: {
      content: {
        "application/json": { schema: z.object({ checks: z.array(CheckSchema).max(50) }).strict() },
      },
      required: true,
    },
  },
  responses: { 200: json(z.object({ checks: z.array(CheckSchema) }), "The checks"), ...errors, ...notFound },
});

export const checkResults = createRoute({
  method: "get",
  path: "/tenants/{name}/checks",
  summary: "Each student's checks, evaluated against the live objects of their cluster",
  request: { params: NameParam },
  responses: {
    200: json(
      z.object({
        checks: z.array(CheckSchema),
        students: z.array(
          z.object({
            student: z.string(),
            results: z.array(z.object({ check: z.string(), pass: z.boolean(), seen: z.string().nullable() })),
          }),
        ),
      }),
      "The results",
    ),
    ...errors,
    ...notFound,
  },
});
