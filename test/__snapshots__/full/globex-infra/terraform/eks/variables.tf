variable "name" {
  description = "Name of the EKS cluster."
  type        = string
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane and the node group (1.NN)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the cluster."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the nodes."
  type        = list(string)
}

variable "control_plane_subnet_ids" {
  description = "Intra subnets of the control plane's network interfaces."
  type        = list(string)
}

variable "endpoint_public_access_cidrs" {
  description = "CIDRs that may reach the public API endpoint (IAM authentication is still required)."
  type        = list(string)
}

variable "deletion_protection" {
  description = "Refuse to delete the cluster (turn off before a deliberate teardown)."
  type        = bool
}

variable "log_retention_days" {
  description = "Days to keep the control-plane logs in CloudWatch."
  type        = number
}

variable "terraform_apply_role_arn" {
  description = "Role that applies this root from CI: cluster admin (it installs Argo CD)."
  type        = string
}

variable "terraform_plan_role_arn" {
  description = "Read-only role that plans this root from CI: view access, Secrets included (Helm keeps its releases in Secrets)."
  type        = string
}

variable "admin_principal_arns" {
  description = "IAM roles of people with cluster admin access (for example an IAM Identity Center role)."
  type        = list(string)
}

variable "node_instance_types" {
  description = "Instance types of the managed node group."
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
  description = "Nodes at creation (EKS keeps the current count afterwards)."
  type        = number
}

variable "addon_versions" {
  description = "Add-on versions to pin, by add-on name (coredns, eks-pod-identity-agent, kube-proxy, metrics-server, vpc-cni); an add-on not named runs EKS's default version for the cluster's Kubernetes version."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.addon_versions) : contains(["coredns", "eks-pod-identity-agent", "kube-proxy", "metrics-server", "vpc-cni"], name)])
    error_message = "addon_versions names add-ons of this cluster only: coredns, eks-pod-identity-agent, kube-proxy, metrics-server, vpc-cni."
  }
}

variable "developer_role_name" {
  description = "Name of the developers' role: read-only kubectl access to this cluster (AmazonEKSViewPolicy, no Secrets)."
  type        = string
}
