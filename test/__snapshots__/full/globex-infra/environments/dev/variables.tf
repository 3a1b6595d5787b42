# Values of the dev environment that are yours to tune: set them in terraform.tfvars.
# Names (cluster, roles, namespaces) are not variables: they come from the generator's model, so
# the GitOps repo agrees with them.

variable "vpc_cidr" {
  description = "IPv4 CIDR of the VPC (/16); change it only before the first apply."
  type        = string
}

variable "endpoint_public_access_cidrs" {
  description = "CIDRs that may reach the cluster's public API endpoint. GitHub-hosted runners need 0.0.0.0/0; narrow it with self-hosted runners or a VPN."
  type        = list(string)
}

variable "cluster_admin_arns" {
  description = "IAM roles of people who get cluster admin access (for example your IAM Identity Center administrator role)."
  type        = list(string)
}

variable "addon_versions" {
  description = "EKS add-on versions to pin in this environment, by add-on name (for example { vpc-cni = \"v1.20.4-eksbuild.1\" }); the others run EKS's default for the cluster's Kubernetes version. Pin in the first environment, then the next."
  type        = map(string)
  default     = {}
}

variable "cluster_deletion_protection" {
  description = "Refuse to delete the EKS cluster. Set to false and apply before a deliberate teardown."
  type        = bool
}

variable "node_instance_types" {
  description = "Instance types of the managed node group (x86_64, AL2023)."
  type        = list(string)
}

variable "node_min_size" {
  description = "Fewest nodes."
  type        = number
}

variable "node_max_size" {
  description = "Most nodes."
  type        = number
}

variable "node_desired_size" {
  description = "Nodes when the group is created (EKS keeps the current count afterwards)."
  type        = number
}

variable "argocd_repo_credential_revision" {
  description = "Bump after rotating the GitHub App key in Secrets Manager so Terraform writes it into the cluster again."
  type        = number
}

variable "argocd_extra_values" {
  description = "More values of the argo-cd chart for this environment, as YAML, over the generated ones (SSO, RBAC, notifications). See terraform.tfvars."
  type        = string
  default     = ""
}
