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

locals {
  state_bucket_arn = "arn:${local.partition}:s3:::${var.state_bucket}"

  # What a plan reads: the configuration of what the roots manage (VPC, EKS, IAM, KMS keys, log groups,
  # ECR, ACM) and AWS's public parameters, never data: no S3 object but its own state, no parameter of
  # this account, no log event, no image layer, no secret but those plan_secret_names name. A root that
  # starts managing another service needs that service's Describe/Get/List actions here.
  plan_read_actions = [
    "acm:DescribeCertificate",
    "acm:GetCertificate",
    "acm:ListTagsForCertificate",
    "ec2:Describe*",
    "ecr:DescribeRegistry",
    "ecr:DescribeRepositories",
    "ecr:GetLifecyclePolicy",
    "ecr:GetRegistryPolicy",
    "ecr:GetRegistryScanningConfiguration",
    "ecr:GetRepositoryPolicy",
    "ecr:ListTagsForResource",
    "eks:Describe*",
    "eks:List*",
    "iam:Get*",
    "iam:List*",
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListResourceTags",
    "logs:DescribeLogGroups",
    "logs:ListTagsForResource",
    "logs:ListTagsLogGroup",
  ]

  plan_statements = { for root, r in var.roots : root => merge(
    {
      ReadConfiguration = {
        actions   = local.plan_read_actions
        resources = ["*"]
      }
      # The AMI release of the EKS node group (public /aws/service/ parameters only).
      PublicParameters = {
        actions   = ["ssm:GetParameter"]
        resources = ["arn:${local.partition}:ssm:*::parameter/aws/service/*"]
      }
      StateList = {
        actions   = ["s3:ListBucket"]
        resources = [local.state_bucket_arn]
      }
      State = {
        actions   = ["s3:GetObject"]
        resources = ["${local.state_bucket_arn}/${r.state_key}", "${local.state_bucket_arn}/${r.state_key}.tflock"]
      }
      StateLock = {
        actions   = ["s3:PutObject", "s3:DeleteObject"]
        resources = ["${local.state_bucket_arn}/${r.state_key}.tflock"]
      }
    },
    length(r.plan_secret_names) == 0 ? {} : {
      PlanSecrets = {
        actions   = ["secretsmanager:GetSecretValue"]
        resources = [for name in r.plan_secret_names : "arn:${local.partition}:secretsmanager:${local.region}:${local.account}:secret:${name}-??????"]
      }
    },
  ) }

  # An apply role administers its account, less what belongs to another root: every resource Terraform
  # makes carries its root's `root` tag (default_tags), so each apply role may only read the
  # configuration (as a plan does) of a resource tagged with another root (the CI roles and the OIDC
  # provider are bootstrap's; global/ reads that provider), may not create one with another root's tag,
  # and may not change the state bucket's settings (S3 checks no bucket tags by default). Services that
  # check no resource tags, and resources without one, are not covered, and an administrator can make a
  # role without these denies: in one account this stops mistakes, not an attacker whose pull request
  # gets merged. Separate accounts are the wall.
  apply_statements = { for root, r in var.roots : root => {
    OtherRootsResources = {
      effect      = "Deny"
      not_actions = local.plan_read_actions
      resources   = ["*"]
      condition = [
        { test = "Null", variable = "aws:ResourceTag/root", values = ["false"] },
        { test = "StringNotEquals", variable = "aws:ResourceTag/root", values = [r.root_tag] },
      ]
    }
    OtherRootsTags = {
      effect    = "Deny"
      actions   = ["*"]
      resources = ["*"]
      condition = [
        { test = "Null", variable = "aws:RequestTag/root", values = ["false"] },
        { test = "StringNotEquals", variable = "aws:RequestTag/root", values = [r.root_tag] },
      ]
    }
    StateBucketSettings = {
      effect = "Deny"
      actions = [
        "s3:DeleteBucket*",
        "s3:PutBucket*",
        "s3:PutEncryptionConfiguration",
        "s3:PutLifecycleConfiguration",
        "s3:PutObjectLockConfiguration",
        "s3:PutReplicationConfiguration",
      ]
      resources = [local.state_bucket_arn]
    }
  } }
}

# Plan: pull requests and the scheduled drift check (main), as each root's plan_subjects say; production's
# plan role trusts no pull request, only jobs in a GitHub Environment with required reviewers, since an
# environment's plan role also reads its cluster's Secrets (terraform/eks) and a pull request can edit the
# workflow. It reads configuration only (local.plan_read_actions), its own root's state, and the secrets
# the root's plan reads (the Argo CD repo credential, which Terraform reads as an ephemeral value).
module "plan_role" {
  source   = "../iam/github-oidc-role"
  for_each = var.roots

  name                     = each.value.plan_role
  description              = "Terraform plan (read-only) of the ${each.key} root, from the infra repo's CI"
  oidc_provider_arn        = aws_iam_openid_connect_provider.github.arn
  subjects                 = each.value.plan_subjects
  inline_policy_statements = local.plan_statements[each.key]
}

# Apply: only jobs in the root's GitHub Environment (deployment branch main; production and global
# with required reviewers). Terraform creates IAM roles, EKS and VPCs, so the role is an
# administrator of its account, less local.apply_statements' denies; the trust policy keeps it narrow.
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
  inline_policy_statements = local.apply_statements[each.key]
}
