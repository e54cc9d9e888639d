import type { Controller } from "../controller";
import { NODE_CONTROLLERS } from "../node-agent/controllers";
import { schedulerController } from "../scheduler/scheduler";
import { classChartsController } from "./class-charts";
import { clusterNetworkController } from "./cluster-network";
import { clusterResetController } from "./cluster-reset";
import { clusterSleepController } from "./cluster-sleep";
import { clusterTeardownController } from "./cluster-teardown";
import { crdCleanupController } from "./crd-cleanup";
import { cronJobController } from "./cronjobs";
import { daemonSetController } from "./daemonsets";
import { disruptionController } from "./disruption-budgets";
import { endpointsController } from "./endpoints";
import { garbageCollectorController } from "./garbage-collector";
import { hpaController } from "./hpa";
import { ingressController } from "./ingress";
import { jobController } from "./jobs";
import { namespaceController } from "./namespace";
import { nodeLifecycleController } from "./node-lifecycle";
import { resourceQuotaController } from "./resource-quotas";
import { rootCaPublisherController } from "./root-ca-publisher";
import { serviceAccountController } from "./serviceaccounts";
import { statefulSetController } from "./statefulsets";
import { volumeBindingController } from "./volume-binding";
import { deploymentController, replicaSetController } from "./workloads";

/** Every controller a worker replica runs: a new one is its module plus a line here. */
export const CONTROLLERS: readonly Controller[] = [
  schedulerController,
  namespaceController,
  clusterTeardownController,
  clusterSleepController,
  serviceAccountController,
  rootCaPublisherController,
  garbageCollectorController,
  crdCleanupController,
  replicaSetController,
  deploymentController,
  jobController,
  cronJobController,
  statefulSetController,
  daemonSetController,
  endpointsController,
  ingressController,
  hpaController,
  volumeBindingController,
  resourceQuotaController,
  disruptionController,
  clusterNetworkController,
  clusterResetController,
  classChartsController,
  nodeLifecycleController,
];

/** Every declaration the dispatcher reads: the replicas' controllers and the node agents'. */
export const DECLARED: readonly Controller<never>[] = [...CONTROLLERS, ...NODE_CONTROLLERS];
