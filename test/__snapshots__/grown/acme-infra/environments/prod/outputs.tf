output "cluster_name" {
  description = "EKS cluster of prod (aws eks update-kubeconfig --name <this>)."
  value       = module.eks.cluster_name
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint."
  value       = module.eks.cluster_endpoint
}

output "vpc_id" {
  description = "VPC of the environment."
  value       = module.vpc.vpc_id
}

output "external_secrets_role_arn" {
  description = "Pod Identity role of External Secrets."
  value       = module.external_secrets_role.arn
}

output "service_role_arns" {
  description = "Pod Identity role of each service."
  value       = { for name, role in module.service_role : name => role.arn }
}

output "argocd_root_application" {
  description = "The root Application that syncs argocd/prod of the GitOps repo."
  value       = module.argocd.root_application
}
