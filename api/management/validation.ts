import type { Hook } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { ApiError } from "./errors";

/** Turns a zod validation failure into the management API's 400 naming the field. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (result.success) return;
  const issue = result.error.issues[0];
  const field = issue?.path.join(".") || "body";
  throw new ApiError(400, "invalid", `${field}: ${issue?.message ?? "invalid value"}`);
};
