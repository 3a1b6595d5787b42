output "arn" {
  description = "ARN of the role."
  value       = module.role.arn
}

output "name" {
  description = "Name of the role."
  value       = module.role.name
}
