output "vpc_id" {
  description = "ID of the VPC."
  value       = module.vpc.vpc_id
}

output "private_subnet_ids" {
  description = "Private subnets (nodes and pods), one per availability zone."
  value       = module.vpc.private_subnets
}

output "intra_subnet_ids" {
  description = "Intra subnets (EKS control plane network interfaces), one per availability zone."
  value       = module.vpc.intra_subnets
}

output "public_subnet_ids" {
  description = "Public subnets (internet-facing load balancers, NAT gateways)."
  value       = module.vpc.public_subnets
}
