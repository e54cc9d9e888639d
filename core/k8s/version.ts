/** The Kubernetes version the clusters' API reports and behaves like (and charts see as `.Capabilities`). */
export const KUBE_VERSION = { major: "1", minor: "31", gitVersion: "v1.31.0+timonier" };
