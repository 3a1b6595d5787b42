# An IAM role that GitHub Actions assumes with OIDC (no static keys). The trust policy is written
# here instead of using the module's enable_github_oidc, which checks the audience with
# ForAllValues:StringEquals (true when the claim is absent): `aud` must be sts.amazonaws.com
# (StringEquals) and `sub` one of var.subjects (StringLike: each names one repository, context and
# workflow file; the only wildcard is a pull request's number). AWS compares the `sub` case-sensitively,
# as git compares branch and file names; scripts/configure-github-oidc.sh checks that GitHub spells
# every repository as the subjects do.
module "role" {
  #checkov:skip=CKV_TF_1:Registry module pinned to an exact version from the generator's pin table (Renovate bumps it); a commit hash would bypass the registry's version resolution.
  source  = "terraform-aws-modules/iam/aws//modules/iam-role"
  version = "6.5.0"

  name            = var.name
  use_name_prefix = false
  description     = var.description

  trust_policy_permissions = {
    GitHubActionsOidc = {
      actions = ["sts:AssumeRoleWithWebIdentity"]
      principals = [{
        type        = "Federated"
        identifiers = [var.oidc_provider_arn]
      }]
      condition = [
        {
          test     = "StringEquals"
          variable = "token.actions.githubusercontent.com:aud"
          values   = ["sts.amazonaws.com"]
        },
        {
          test     = "StringLike"
          variable = "token.actions.githubusercontent.com:sub"
          values   = var.subjects
        },
      ]
    }
  }

  policies = var.policy_arns

  create_inline_policy      = length(var.inline_policy_statements) > 0
  inline_policy_permissions = var.inline_policy_statements
}
