output "cluster_name" {
  description = "EKS cluster of staging (aws eks update-kubeconfig --name <this>)."
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

output "load_balancer_controller_role_arn" {
  description = "Pod Identity role of the AWS Load Balancer Controller."
  value       = module.load_balancer_controller_role.arn
}

output "certificate_arn" {
  description = "ACM certificate of the Ingress hosts (*.staging.globex.example.com); the load balancer controller finds it by host name."
  value       = aws_acm_certificate.ingress.arn
}

output "certificate_validation_records" {
  description = "DNS records that validate the ACM certificate: add each once in the DNS of globex.example.com (README.md)."
  value = [for o in aws_acm_certificate.ingress.domain_validation_options : {
    domain = o.domain_name
    name   = o.resource_record_name
    type   = o.resource_record_type
    value  = o.resource_record_value
  }]
}

output "argocd_root_application" {
  description = "The root Application that syncs argocd/staging of the GitOps repo."
  value       = module.argocd.root_application
}
