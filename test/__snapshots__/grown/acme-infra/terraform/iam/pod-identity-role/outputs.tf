output "arn" {
  description = "ARN of the role."
  value       = module.pod_identity.iam_role_arn
}

output "name" {
  description = "Name of the role."
  value       = module.pod_identity.iam_role_name
}

output "associations" {
  description = "The Pod Identity association (cluster, namespace, service account)."
  value       = module.pod_identity.associations
}
