# The dev environment: its VPC, its EKS cluster, the Pod Identity roles of
# its workloads (External Secrets, every service) and the Argo CD bootstrap.
# Names come from the generator's model (the GitOps repo uses the same ones); the services come from
# services.json at the repo root.

locals {
  environment  = "dev"
  account_id   = "123456789012"
  region       = "us-east-1"
  cluster_name = "acme-dev"

  # Secrets Manager names External Secrets may read (a name prefix, not a secret).
  #checkov:skip=CKV_SECRET_6:A Secrets Manager name prefix, not a secret.
  secrets_prefix = "acme/dev/"

  tags = {
    platform     = "acme"
    environment  = "dev"
    repository   = "acme/acme-infra"
    root         = "environments/dev"
    "managed-by" = "terraform"
  }

  # One entry per service: adding a service edits services.json only. Removed services
  # ("retired") have nothing here; their entry is global/'s, for their ECR repository.
  services = { for s in jsondecode(file("${path.root}/../../services.json")) : s.name => s if !try(s.retired, false) }
}

data "aws_partition" "current" {}

module "vpc" {
  source = "../../terraform/vpc"

  name                    = "acme-dev"
  cidr                    = var.vpc_cidr
  one_nat_gateway_per_az  = false
  flow_log_retention_days = 90
}

module "eks" {
  source = "../../terraform/eks"

  name               = local.cluster_name
  kubernetes_version = "1.34"

  vpc_id                       = module.vpc.vpc_id
  subnet_ids                   = module.vpc.private_subnet_ids
  control_plane_subnet_ids     = module.vpc.intra_subnet_ids
  endpoint_public_access_cidrs = var.endpoint_public_access_cidrs
  deletion_protection          = var.cluster_deletion_protection
  log_retention_days           = 90

  terraform_apply_role_arn = "arn:aws:iam::123456789012:role/gha-infra-apply-dev"
  terraform_plan_role_arn  = "arn:aws:iam::123456789012:role/gha-infra-plan-dev"
  admin_principal_arns     = var.cluster_admin_arns
  addon_versions           = var.addon_versions
  developer_role_name      = "dev-developers-readonly"

  node_instance_types = var.node_instance_types
  node_min_size       = var.node_min_size
  node_max_size       = var.node_max_size
  node_desired_size   = var.node_desired_size
}

# External Secrets reads AWS Secrets Manager under "acme/dev/" only (the GitOps repo's
# ClusterSecretStore). The Argo CD repo credential is named outside that prefix on purpose.
module "external_secrets_role" {
  source = "../../terraform/iam/pod-identity-role"

  name                 = "dev-external-secrets"
  description          = "External Secrets Operator in ${local.cluster_name}: reads ${local.secrets_prefix}* only"
  cluster_name         = module.eks.cluster_name
  namespace            = "external-secrets"
  service_account      = "external-secrets"
  secrets_manager_arns = ["arn:${data.aws_partition.current.partition}:secretsmanager:${local.region}:${local.account_id}:secret:${local.secrets_prefix}*"]
}

# One role per service, for its service account in its namespace. It has no permissions yet: attach
# what the service needs (a policy per service, in this root).
module "service_role" {
  source   = "../../terraform/iam/pod-identity-role"
  for_each = local.services

  name            = each.value.podRoles[local.environment]
  description     = "Service ${each.key} in ${local.cluster_name}"
  cluster_name    = module.eks.cluster_name
  namespace       = each.value.namespace
  service_account = each.value.serviceAccount
}

module "argocd" {
  source = "../../terraform/argocd"

  # The charts' versions, this environment's own: Renovate offers an update here alone, and to the
  # next environment a week after the one before it (renovate.json).
  # renovate: datasource=helm registryUrl=https://argoproj.github.io/argo-helm depName=argo-cd
  chart_version = "10.1.1"
  # renovate: datasource=helm registryUrl=https://argoproj.github.io/argo-helm depName=argocd-apps
  apps_chart_version = "2.0.5"

  namespace                   = "argocd"
  repo_url                    = "https://github.com/acme/acme-gitops.git"
  path                        = "argocd/dev"
  root_application            = "root"
  root_project                = "root"
  destination_server          = "https://kubernetes.default.svc"
  repo_credential_secret_name = "argocd/dev-gitops-repo"
  repo_credential_revision    = var.argocd_repo_credential_revision
  replicas                    = 1
  extra_values                = var.argocd_extra_values

  # Argo CD needs nodes, and its add-ons and services need their roles.
  # On destroy the reverse holds: the root Application and everything it deployed go first, while
  # the controllers still have their credentials to delete what they made in AWS.
  depends_on = [
    module.eks,
    module.external_secrets_role,
    module.service_role,
  ]
}
