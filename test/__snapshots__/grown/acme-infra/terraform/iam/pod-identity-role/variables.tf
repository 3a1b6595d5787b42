variable "name" {
  description = "Name of the IAM role (exact, no prefix); also the name of the policies the module creates."
  type        = string
}

variable "description" {
  description = "What the role is for."
  type        = string
}

variable "cluster_name" {
  description = "EKS cluster whose Pod Identity agent may assume the role."
  type        = string
}

variable "namespace" {
  description = "Kubernetes namespace of the service account."
  type        = string
}

variable "service_account" {
  description = "Kubernetes service account bound to the role."
  type        = string
}

variable "secrets_manager_arns" {
  description = "Secrets Manager ARNs (patterns) the role may read with the External Secrets policy; empty for no such policy."
  type        = list(string)
  default     = []
}

variable "attach_load_balancer_controller_policy" {
  description = "Attach the AWS Load Balancer Controller policy."
  type        = bool
  default     = false
}
