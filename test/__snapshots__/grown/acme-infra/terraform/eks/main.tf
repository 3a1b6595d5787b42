# The environment's EKS cluster: API-only authentication (access entries, no aws-auth ConfigMap),
# EKS Pod Identity instead of IRSA, core addons with the VPC CNI enforcing NetworkPolicies (the
# service charts ship them), an AL2023 managed node group in the private subnets, secrets envelope
# encryption with the module's KMS key and every control-plane log type.
data "aws_partition" "current" {}

locals {
  access_policy = "arn:${data.aws_partition.current.partition}:eks::aws:cluster-access-policy"
}

module "eks" {
  #checkov:skip=CKV_TF_1:Registry module pinned to an exact version from the generator's pin table (Renovate bumps it); a commit hash would bypass the registry's version resolution.
  source  = "terraform-aws-modules/eks/aws"
  version = "21.19.0"

  name               = var.name
  kubernetes_version = var.kubernetes_version

  vpc_id                   = var.vpc_id
  subnet_ids               = var.subnet_ids
  control_plane_subnet_ids = var.control_plane_subnet_ids

  # Terraform runs on GitHub-hosted runners, which have no fixed addresses; the endpoint still
  # requires IAM authentication. Narrow endpoint_public_access_cidrs with self-hosted runners.
  endpoint_public_access       = true
  endpoint_private_access      = true
  endpoint_public_access_cidrs = var.endpoint_public_access_cidrs

  # Standard support only: on a version past its 14 months, EKS upgrades the control plane itself
  # instead of billing extended support (about six times the hourly price). Upgrade one minor
  # version at a time before that date (README.md, "Kubernetes upgrades").
  upgrade_policy = {
    support_type = "STANDARD"
  }

  authentication_mode                      = "API"
  enable_cluster_creator_admin_permissions = false
  enable_irsa                              = false
  deletion_protection                      = var.deletion_protection

  # Named here, not left to the module: with none given it makes the caller the key's administrator,
  # so plans and drift checks (the plan role) would show a key policy change against every apply.
  kms_key_administrators = [var.terraform_apply_role_arn]

  enabled_log_types                      = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
  cloudwatch_log_group_retention_in_days = var.log_retention_days

  access_entries = merge(
    {
      terraform_apply = {
        principal_arn = var.terraform_apply_role_arn
        policy_associations = {
          admin = {
            policy_arn   = "${local.access_policy}/AmazonEKSClusterAdminPolicy"
            access_scope = { type = "cluster" }
          }
        }
      }
      terraform_plan = {
        principal_arn = var.terraform_plan_role_arn
        policy_associations = {
          view = {
            policy_arn   = "${local.access_policy}/AmazonEKSAdminViewPolicy"
            access_scope = { type = "cluster" }
          }
        }
      }
    },
    {
      # Developers read the cluster: view access to namespaced objects, Secrets excluded.
      developers = {
        principal_arn = aws_iam_role.developers.arn
        policy_associations = {
          view = {
            policy_arn   = "${local.access_policy}/AmazonEKSViewPolicy"
            access_scope = { type = "cluster" }
          }
        }
      }
    },
    {
      for arn in var.admin_principal_arns : "admin_${replace(arn, "/[^A-Za-z0-9_-]/", "_")}" => {
        principal_arn = arn
        policy_associations = {
          admin = {
            policy_arn   = "${local.access_policy}/AmazonEKSClusterAdminPolicy"
            access_scope = { type = "cluster" }
          }
        }
      }
    },
  )

  # Add-on versions do not move by themselves: each is the version pinned in addon_versions
  # (terraform.tfvars of the environment) or else EKS's default for this Kubernetes version, never
  # "most recent" (which would roll a new version into production on its next apply).
  addons = {
    coredns = {
      most_recent   = false
      addon_version = lookup(var.addon_versions, "coredns", null)
    }
    eks-pod-identity-agent = {
      before_compute = true
      most_recent    = false
      addon_version  = lookup(var.addon_versions, "eks-pod-identity-agent", null)
    }
    kube-proxy = {
      most_recent   = false
      addon_version = lookup(var.addon_versions, "kube-proxy", null)
    }
    # The metrics API (metrics.k8s.io) that HorizontalPodAutoscalers read CPU from; an EKS
    # community add-on (port 10251, which the module's recommended node rules open to the API).
    metrics-server = {
      most_recent   = false
      addon_version = lookup(var.addon_versions, "metrics-server", null)
    }
    vpc-cni = {
      before_compute = true
      most_recent    = false
      addon_version  = lookup(var.addon_versions, "vpc-cni", null)
      configuration_values = jsonencode({
        enableNetworkPolicy = "true"
      })
    }
  }

  eks_managed_node_groups = {
    default = {
      ami_type       = "AL2023_x86_64_STANDARD"
      instance_types = var.node_instance_types
      min_size       = var.node_min_size
      max_size       = var.node_max_size
      desired_size   = var.node_desired_size
    }
  }
}

# The developers' role: people of this account assume it (with MFA) to read the cluster with
# kubectl, through the access entry above. In AWS it may only find the cluster's endpoint.
data "aws_caller_identity" "current" {}

resource "aws_iam_role" "developers" {
  #checkov:skip=CKV_AWS_61:Trusts this account's people with MFA on purpose; their identity policies decide who may assume it.
  name                 = var.developer_role_name
  description          = "Developers: read-only kubectl access to ${var.name}"
  max_session_duration = 3600

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
}

resource "aws_iam_role_policy" "developers" {
  name = "describe-cluster"
  role = aws_iam_role.developers.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "KubeconfigOnly"
      Effect   = "Allow"
      Action   = ["eks:DescribeCluster"]
      Resource = [module.eks.cluster_arn]
    }]
  })
}
