output "arn" {
  description = "ARN of the repository."
  value       = module.repository.repository_arn
}

output "url" {
  description = "URI of the repository (registry host and name)."
  value       = module.repository.repository_url
}
