# What the infra repo's CI needs in one AWS account: the GitHub OIDC provider, and per Terraform
# root a read-only plan role and an apply role. Applied by hand from bootstrap/ (never by CI), so a
# pull request can never widen the roles that CI itself runs with.
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  partition = data.aws_partition.current.partition
  account   = data.aws_caller_identity.current.account_id
  region    = data.aws_region.current.region
}

# AWS trusts GitHub's OIDC endpoint through its own CA library, so no thumbprint is pinned here.
resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

# Plan: pull requests and the scheduled drift check (main), as each root's plan_subjects say; production's
# plan role trusts no pull request, only jobs in a GitHub Environment with required reviewers, since an
# environment's plan role also reads its cluster's Secrets (terraform/eks) and a pull request can edit the
# workflow. Read-only everywhere (ReadOnlyAccess has no secretsmanager:GetSecretValue), plus the state
# lock file of its own root and the secrets the root's plan reads (the Argo CD repo credential, which
# Terraform reads as an ephemeral value).
module "plan_role" {
  source   = "../iam/github-oidc-role"
  for_each = var.roots

  name              = each.value.plan_role
  description       = "Terraform plan (read-only) of the ${each.key} root, from the infra repo's CI"
  oidc_provider_arn = aws_iam_openid_connect_provider.github.arn
  subjects          = each.value.plan_subjects
  policy_arns = {
    read_only = "arn:${local.partition}:iam::aws:policy/ReadOnlyAccess"
  }
  inline_policy_statements = merge(
    {
      StateLock = {
        actions   = ["s3:PutObject", "s3:DeleteObject"]
        resources = ["arn:${local.partition}:s3:::${var.state_bucket}/${each.value.state_key}.tflock"]
      }
    },
    length(each.value.plan_secret_names) == 0 ? {} : {
      PlanSecrets = {
        actions   = ["secretsmanager:GetSecretValue"]
        resources = [for name in each.value.plan_secret_names : "arn:${local.partition}:secretsmanager:${local.region}:${local.account}:secret:${name}-??????"]
      }
    },
  )
}

# Apply: only jobs in the root's GitHub Environment (deployment branch main; production and global
# with required reviewers). Terraform creates IAM roles, EKS and VPCs, so the role is an
# administrator of its account; the trust policy is what keeps it narrow.
module "apply_role" {
  source   = "../iam/github-oidc-role"
  for_each = var.roots

  name              = each.value.apply_role
  description       = "Terraform apply of the ${each.key} root, from the infra repo's GitHub Environment"
  oidc_provider_arn = aws_iam_openid_connect_provider.github.arn
  subjects          = [each.value.apply_subject]
  policy_arns = {
    administrator = "arn:${local.partition}:iam::aws:policy/AdministratorAccess"
  }
}
