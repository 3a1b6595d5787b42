# What is built once for every environment, in the global account 123456789012: an ECR repository
# per service (an image is built once, and the same digest runs in every environment) and the role
# each service's CI pushes with. The services come from services.json at the repo root.

locals {
  account_id = "123456789012"
  region     = "us-east-1"

  tags = {
    platform     = "acme"
    repository   = "acme/acme-infra"
    root         = "global"
    "managed-by" = "terraform"
  }

  # Environment accounts other than this one: they pull images from here (ECR repository policy).
  # Empty when every environment lives in this account, whose own roles need no grant here.
  ecr_pull_account_ids = []

  # One entry per service: adding a service edits services.json only. A removed service's
  # entry ("retired") stays while its ECR repository does: the repository is kept (images in it would
  # stop its deletion) until `gitops-platform service remove <name> --purge-images`.
  all_services = { for s in jsondecode(file("${path.root}/../services.json")) : s.name => s }
  services     = { for name, s in local.all_services : name => s if !try(s.retired, false) }
}

# Created by bootstrap/ in this account.
data "aws_iam_openid_connect_provider" "github" {
  url = "https://token.actions.githubusercontent.com"
}

module "ecr" {
  source   = "../terraform/ecr"
  for_each = local.all_services

  name             = each.value.ecrRepository
  force_delete     = try(each.value.forceDeleteImages, false)
  pull_account_ids = local.ecr_pull_account_ids
  keep_images      = var.ecr_keep_images
  # Production first: an image counts among the deploys of the latest environment it reached.
  deployed_tag_prefixes = ["deployed-prod-"]
  keep_deployed_images  = var.ecr_keep_deployed_images
}

# The service repo's CI on main (and nothing else) may push to this service's repository (and no
# other); GetAuthorizationToken has no resource-level permissions.
module "ci_role" {
  source   = "../terraform/iam/github-oidc-role"
  for_each = local.services

  name              = each.value.ciRole
  description       = "CI of ${each.key}: push images to ${each.value.ecrRepository}"
  oidc_provider_arn = data.aws_iam_openid_connect_provider.github.arn
  subjects          = [each.value.ciRoleSubject]
  inline_policy_statements = {
    EcrLogin = {
      actions   = ["ecr:GetAuthorizationToken"]
      resources = ["*"]
    }
    EcrPush = {
      actions = [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:CompleteLayerUpload",
        "ecr:DescribeImages",
        "ecr:GetDownloadUrlForLayer",
        "ecr:InitiateLayerUpload",
        "ecr:PutImage",
        "ecr:UploadLayerPart",
      ]
      resources = [module.ecr[each.key].arn]
    }
  }
}

# The GitOps repo's promote workflow (its GitHub Environment "promote", main only) tags the image
# it promotes <env prefix><digest hex>, which keeps it from expiring while it runs there. Tagging is
# PutImage of a manifest the repository already holds (no layer upload): tags are immutable, so it
# cannot move a tag, and the workflow checks the digest it puts.
module "promote_role" {
  source = "../terraform/iam/github-oidc-role"

  name              = "gha-gitops-promote"
  description       = "Promote workflow of acme/acme-gitops: tag promoted images in ECR"
  oidc_provider_arn = data.aws_iam_openid_connect_provider.github.arn
  subjects          = ["repo:acme/acme-gitops:environment:promote:job_workflow_ref:acme/acme-gitops/.github/workflows/promote.yaml@refs/heads/main"]
  inline_policy_statements = {
    EcrTag = {
      actions   = ["ecr:BatchGetImage", "ecr:PutImage"]
      resources = [for name in sort(keys(local.services)) : module.ecr[name].arn]
    }
  }
}
