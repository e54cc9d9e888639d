import { type PodDisruptionBudget, validateBudget } from "../disruption/budget";
import type { Role, RoleBinding } from "../rbac/types";
import { validateBinding, validateBindingUpdate, validateRole } from "../rbac/validation";
import type { ResourceType } from "../resources";
import type { PriorityClass } from "../scheduling/priority";
import { validatePriorityClass, validatePriorityClassUpdate } from "../scheduling/priority-validation";
import { validateEndpointAddresses } from "../services/endpoint-addresses";
import { type Ingress, validateIngressSpec } from "../services/ingress";
import type { EndpointSlice, Endpoints, Service } from "../services/types";
import { validateServiceSpec, validateServiceUpdate } from "../services/validation";
import type { PersistentVolume, PersistentVolumeClaim } from "../storage/types";
import { validateClaim, validateClaimUpdate, validateVolume } from "../storage/validation";
import type { KubeObject, Pod } from "../types";
import { type ConfigData, validateConfigData, validateConfigDataUpdate } from "../validation/config-data";
import { type FieldError, invalidError } from "../validation/field-errors";
import { validateObjectMeta } from "../validation/meta";
import { validatePodSpec, validatePodUpdate } from "../validation/pod";

function raise(obj: KubeObject, type: ResourceType, errors: FieldError[]): void {
  if (errors.length) throw invalidError(type.kind, obj.metadata.name ?? "", errors, type.group);
}

/** Validates a new object of any kind; throws the apiserver's 422 listing every problem. */
export function validateCreate(obj: KubeObject, type: ResourceType): void {
  const errors = validateObjectMeta(obj, type.namespaced);
  if (type.kind === "Pod") errors.push(...validatePodSpec(obj as Pod));
  if (type.kind === "Service") errors.push(...validateServiceSpec(obj as Service));
  if (type.kind === "Ingress") errors.push(...validateIngressSpec(obj as Ingress));
  if (type.kind === "PriorityClass") errors.push(...validatePriorityClass(obj as PriorityClass));
  if (type.kind === "Secret" || type.kind === "ConfigMap")
    errors.push(...validateConfigData(obj as ConfigData));
  if (type.kind === "PersistentVolumeClaim") errors.push(...validateClaim(obj as PersistentVolumeClaim));
  if (type.kind === "PersistentVolume") errors.push(...validateVolume(obj as PersistentVolume));
  if (type.kind === "Role" || type.kind === "ClusterRole") errors.push(...validateRole(obj as Role));
  if (type.kind === "RoleBinding" || type.kind === "ClusterRoleBinding")
    errors.push(...validateBinding(obj as RoleBinding));
  if (type.kind === "PodDisruptionBudget") errors.push(...validateBudget(obj as PodDisruptionBudget));
  if (type.kind === "Endpoints" || type.kind === "EndpointSlice")
    errors.push(...validateEndpointAddresses(obj as Endpoints | EndpointSlice));
  raise(obj, type, errors);
}

/** Validates a replacement; pods may only change what kube-apiserver lets them change. */
export function validateUpdate(next: KubeObject, current: KubeObject, type: ResourceType): void {
  const errors = validateObjectMeta(next, type.namespaced);
  if (type.kind === "Pod") errors.push(...validatePodUpdate(next as Pod, current as Pod));
  if (type.kind === "Service") errors.push(...validateServiceUpdate(next as Service, current as Service));
  if (type.kind === "Ingress") errors.push(...validateIngressSpec(next as Ingress));
  if (type.kind === "PriorityClass")
    errors.push(...validatePriorityClassUpdate(next as PriorityClass, current as PriorityClass));
  if (type.kind === "Secret" || type.kind === "ConfigMap")
    errors.push(...validateConfigDataUpdate(next as ConfigData, current as ConfigData));
  if (type.kind === "PersistentVolumeClaim")
    errors.push(...validateClaimUpdate(next as PersistentVolumeClaim, current as PersistentVolumeClaim));
  if (type.kind === "PersistentVolume") errors.push(...validateVolume(next as PersistentVolume));
  if (type.kind === "Role" || type.kind === "ClusterRole") errors.push(...validateRole(next as Role));
  if (type.kind === "RoleBinding" || type.kind === "ClusterRoleBinding")
    errors.push(...validateBindingUpdate(next as RoleBinding, current as RoleBinding));
  if (type.kind === "PodDisruptionBudget") errors.push(...validateBudget(next as PodDisruptionBudget));
  if (type.kind === "Endpoints" || type.kind === "EndpointSlice")
    errors.push(...validateEndpointAddresses(next as Endpoints | EndpointSlice));
  raise(next, type, errors);
}
