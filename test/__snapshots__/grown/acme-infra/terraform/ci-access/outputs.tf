output "oidc_provider_arn" {
  description = "ARN of the GitHub OIDC provider of this account."
  value       = aws_iam_openid_connect_provider.github.arn
}

output "plan_role_arns" {
  description = "Plan role ARN by root."
  value       = { for root, role in module.plan_role : root => role.arn }
}

output "apply_role_arns" {
  description = "Apply role ARN by root."
  value       = { for root, role in module.apply_role : root => role.arn }
}
