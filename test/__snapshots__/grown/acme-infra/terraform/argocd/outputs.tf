output "namespace" {
  description = "Namespace of Argo CD."
  value       = helm_release.argo_cd.namespace
}

output "root_application" {
  description = "Name of the root Application."
  value       = var.root_application
}
