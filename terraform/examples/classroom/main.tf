# A class of students on Timonier: the class, one cluster per student, the course's chart installed in each,
# and each student's kubeconfig as an output. Needs the timonier provider (terraform/provider/README.md).

terraform {
  required_version = ">= 1.5"
  required_providers {
    timonier = { source = "timonier/timonier" }
  }
}

variable "class" {
  description = "The class (a tenant): cluster names are unique within it."
  type        = string
}

variable "cluster_lifetime" {
  description = "How long each new cluster lives, e.g. 72h; null: no end."
  type        = string
  default     = null
}

variable "students" {
  description = "One cluster per name (DNS label: lower case letters, digits and '-')."
  type        = set(string)
}

variable "chart" {
  description = "The course's chart, installed in every student's cluster: a catalog chart, or a chart directory or .tgz; null: none."
  type        = string
  default     = null
}

variable "values" {
  description = "The chart's values files' contents, merged in order."
  type        = list(string)
  default     = []
}

resource "timonier_tenant" "class" {
  name             = var.class
  cluster_lifetime = var.cluster_lifetime
}

resource "timonier_cluster" "student" {
  for_each = var.students
  name     = each.key
  tenant   = timonier_tenant.class.name
}

resource "timonier_release" "course" {
  for_each = var.chart == null ? toset([]) : var.students
  cluster  = timonier_cluster.student[each.key].id
  name     = "course"
  chart    = var.chart
  values   = var.values
}

output "teacher_token" {
  description = "The class's teacher token."
  value       = timonier_tenant.class.teacher_token
  sensitive   = true
}

output "servers" {
  description = "Each student's Kubernetes API URL."
  value       = { for name, cluster in timonier_cluster.student : name => cluster.server }
}

output "kubeconfigs" {
  description = "Each student's kubeconfig YAML, e.g. terraform output -json kubeconfigs | jq -r .alice > alice.yaml."
  value       = { for name, cluster in timonier_cluster.student : name => cluster.kubeconfig }
  sensitive   = true
}
