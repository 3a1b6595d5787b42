output "ecr_repository_urls" {
  description = "ECR repository URI of each service."
  value       = { for name, repository in module.ecr : name => repository.url }
}

output "ci_role_arns" {
  description = "Role each service's CI assumes to push its image."
  value       = { for name, role in module.ci_role : name => role.arn }
}

output "promote_role_arn" {
  description = "Role the GitOps repo's promote workflow assumes to tag the image it promotes."
  value       = module.promote_role.arn
}
