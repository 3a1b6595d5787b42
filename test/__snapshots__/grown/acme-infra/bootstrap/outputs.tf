output "state_bucket" {
  description = "The Terraform state bucket."
  value       = aws_s3_bucket.state.id
}

output "plan_role_arns" {
  description = "Read-only plan role of each root (the CI workflow assumes these on pull requests and for the drift check)."
  value       = merge(module.ci_access.plan_role_arns)
}

output "apply_role_arns" {
  description = "Apply role of each root (the CI workflow assumes these in the root's GitHub Environment)."
  value       = merge(module.ci_access.apply_role_arns)
}
