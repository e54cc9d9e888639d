# A class of students, one Timonier cluster each, with a kubeconfig file per student.
#
# Needs nothing but Terraform and curl: clusters are created and deleted through the management API by
# local-exec provisioners of the built-in terraform_data resource (no provider to download).

terraform {
  required_version = ">= 1.4"
}

variable "api_url" {
  description = "The management API, as `npm start` prints it."
  type        = string
  default     = "http://127.0.0.1:8080"
}

variable "admin_token" {
  description = "The admin token (`.timonier/admin-token` after `npm start`)."
  type        = string
  sensitive   = true
}

variable "class" {
  description = "The tenant the clusters belong to: cluster names are unique within it."
  type        = string
}

variable "students" {
  description = "One cluster per name (DNS label: lower case letters, digits and '-')."
  type        = set(string)
}

variable "kubeconfig_dir" {
  description = "Where each student's kubeconfig is written, as <name>.yaml."
  type        = string
  default     = "./kubeconfigs"
}

resource "terraform_data" "cluster" {
  for_each = var.students

  # everything the destroy-time provisioner needs must live in the resource itself
  input = {
    script = abspath("${path.module}/timonier-cluster.sh")
    environment = {
      TIMONIER_URL   = var.api_url
      TIMONIER_TOKEN = var.admin_token
      NAME           = each.key
      TENANT         = var.class
      DIR            = abspath(var.kubeconfig_dir)
    }
  }

  provisioner "local-exec" {
    command     = "${self.input.script} create"
    environment = self.input.environment
  }

  provisioner "local-exec" {
    when        = destroy
    command     = "${self.input.script} delete"
    environment = self.input.environment
  }
}

output "kubeconfigs" {
  description = "Each student's kubeconfig file."
  value       = { for name in var.students : name => "${abspath(var.kubeconfig_dir)}/${name}.yaml" }
}
