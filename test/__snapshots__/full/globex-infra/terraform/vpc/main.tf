# The environment's network: three availability zones, each with a private subnet (nodes and
# pods), a public one (internet-facing load balancers, NAT) and an intra one (the EKS control
# plane's network interfaces, no route to the internet). Subnets carry the role tags the AWS Load
# Balancer Controller selects them by.
data "aws_availability_zones" "available" {
  #checkov:skip=CKV_AWS_394:The VPC takes the first three zones once, at creation; subnets never move afterwards, and a zone AWS adds later sorts after them.
  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

locals {
  azs = slice(data.aws_availability_zones.available.names, 0, 3)
}

module "vpc" {
  #checkov:skip=CKV_TF_1:Registry module pinned to an exact version from the generator's pin table (Renovate bumps it); a commit hash would bypass the registry's version resolution.
  source  = "terraform-aws-modules/vpc/aws"
  version = "6.6.0"

  name = var.name
  cidr = var.cidr
  azs  = local.azs

  # The ALBs live in the public subnets; the GitOps repo's NetworkPolicies admit them from there
  # (networkPolicy.loadBalancerCidrs in its values files).
  private_subnets = [for i in range(length(local.azs)) : cidrsubnet(var.cidr, 4, i)]
  public_subnets  = [for i in range(length(local.azs)) : cidrsubnet(var.cidr, 8, i + 48)]
  intra_subnets   = [for i in range(length(local.azs)) : cidrsubnet(var.cidr, 8, i + 52)]

  enable_nat_gateway     = true
  single_nat_gateway     = !var.one_nat_gateway_per_az
  one_nat_gateway_per_az = var.one_nat_gateway_per_az

  public_subnet_tags = {
    "kubernetes.io/role/elb" = "1"
  }
  private_subnet_tags = {
    "kubernetes.io/role/internal-elb" = "1"
  }

  # The default security group allows nothing.
  manage_default_security_group = true

  enable_flow_log                                 = true
  create_flow_log_cloudwatch_log_group            = true
  create_flow_log_cloudwatch_iam_role             = true
  flow_log_max_aggregation_interval               = 60
  flow_log_cloudwatch_log_group_retention_in_days = var.flow_log_retention_days
}
