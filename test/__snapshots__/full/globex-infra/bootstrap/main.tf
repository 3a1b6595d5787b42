# One-time bootstrap, applied by hand (README.md in this folder): the Terraform state bucket in the
# global account, and in every account of the platform the GitHub OIDC provider and the plan and
# apply roles the infra repo's CI runs each root with. CI never applies this root, so no pull request
# can widen the roles CI itself uses.

locals {
  region       = "eu-west-1"
  state_bucket = "globex-tfstate-000111222333"

  tags = {
    platform     = "globex"
    repository   = "Globex-Corp/globex-infra"
    root         = "bootstrap"
    "managed-by" = "terraform"
  }
}

################################################################################
# State bucket
################################################################################

resource "aws_s3_bucket" "state" {
  #checkov:skip=CKV_AWS_18:Access to state is audited with CloudTrail S3 data events (README.md), not with a second logging bucket.
  #checkov:skip=CKV_AWS_144:Versioning, Object Lock and prevent_destroy protect the state; add cross-region replication if your disaster-recovery plan needs another region.
  #checkov:skip=CKV_AWS_145:SSE-S3 on purpose: access is governed by IAM and this bucket's policy per state key; a customer KMS key would need grants for every environment account and adds no control.
  #checkov:skip=CKV2_AWS_62:Nothing consumes events of the state bucket.
  bucket = local.state_bucket

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id

  versioning_configuration {
    status = "Enabled"
  }
}

# Every state version is locked for 30 days (governance mode): no one can delete or overwrite
# it in that time without s3:BypassGovernanceRetention, which the bucket policy leaves to the
# break-glass role only. Terraform's writes are new versions and unlocking deletes the lock file
# with a delete marker, so neither needs more. Works on a bucket created without Object Lock too.
resource "aws_s3_bucket_object_lock_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    default_retention {
      mode = "GOVERNANCE"
      days = 30
    }
  }

  depends_on = [aws_s3_bucket_versioning.state]
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket = aws_s3_bucket.state.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# ACLs off: the bucket owner owns every object, also state written from the environment accounts.
resource "aws_s3_bucket_ownership_controls" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# Old state versions stay restorable for 90 days (locked for the first 30).
resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    id     = "state-history"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days           = 90
      newer_noncurrent_versions = 10
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

data "aws_iam_policy_document" "state" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }


  # global's state and lock: its own plan and apply roles only (and break glass), even for
  # principals of this account whose IAM policies allow more (the other roots' roles included).
  statement {
    sid       = "OwnRolesOnly0"
    effect    = "Deny"
    actions   = ["s3:DeleteObject", "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]
    resources = ["${aws_s3_bucket.state.arn}/global/terraform.tfstate", "${aws_s3_bucket.state.arn}/global/terraform.tfstate.tflock"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = ["arn:aws:iam::000111222333:role/gha-infra-plan-global", "arn:aws:iam::000111222333:role/gha-infra-apply-global", aws_iam_role.state_break_glass.arn]
    }
  }

  # dev's state and lock: its own plan and apply roles only (and break glass), even for
  # principals of this account whose IAM policies allow more (the other roots' roles included).
  statement {
    sid       = "OwnRolesOnly1"
    effect    = "Deny"
    actions   = ["s3:DeleteObject", "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]
    resources = ["${aws_s3_bucket.state.arn}/environments/dev/terraform.tfstate", "${aws_s3_bucket.state.arn}/environments/dev/terraform.tfstate.tflock"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = ["arn:aws:iam::111111111111:role/gha-infra-plan-dev", "arn:aws:iam::111111111111:role/gha-infra-apply-dev", aws_iam_role.state_break_glass.arn]
    }
  }

  # staging's state and lock: its own plan and apply roles only (and break glass), even for
  # principals of this account whose IAM policies allow more (the other roots' roles included).
  statement {
    sid       = "OwnRolesOnly2"
    effect    = "Deny"
    actions   = ["s3:DeleteObject", "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]
    resources = ["${aws_s3_bucket.state.arn}/environments/staging/terraform.tfstate", "${aws_s3_bucket.state.arn}/environments/staging/terraform.tfstate.tflock"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = ["arn:aws:iam::222222222222:role/gha-infra-plan-staging", "arn:aws:iam::222222222222:role/gha-infra-apply-staging", aws_iam_role.state_break_glass.arn]
    }
  }

  # prod's state and lock: its own plan and apply roles only (and break glass), even for
  # principals of this account whose IAM policies allow more (the other roots' roles included).
  statement {
    sid       = "OwnRolesOnly3"
    effect    = "Deny"
    actions   = ["s3:DeleteObject", "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]
    resources = ["${aws_s3_bucket.state.arn}/environments/prod/terraform.tfstate", "${aws_s3_bucket.state.arn}/environments/prod/terraform.tfstate.tflock"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = ["arn:aws:iam::333333333333:role/gha-infra-plan-prod", "arn:aws:iam::333333333333:role/gha-infra-apply-prod", aws_iam_role.state_break_glass.arn]
    }
  }

  # The state's history is out of reach of every role, CI's administrators included, except the
  # break-glass role: no deleting a version, bypassing its lock, or changing versioning, the lock,
  # the expiry rules or this policy. (The account's root user can still delete this policy.)
  statement {
    sid    = "DenyStateHistoryChanges"
    effect = "Deny"
    actions = [
      "s3:BypassGovernanceRetention",
      "s3:DeleteBucketPolicy",
      "s3:DeleteObjectVersion",
      "s3:PutBucketObjectLockConfiguration",
      "s3:PutBucketPolicy",
      "s3:PutBucketVersioning",
      "s3:PutLifecycleConfiguration",
      "s3:PutObjectRetention",
    ]
    resources = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = [aws_iam_role.state_break_glass.arn]
    }
  }

  # dev (account 111111111111): its plan and apply roles reach its own state and lock only.
  statement {
    sid       = "List0"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.state.arn]

    principals {
      type        = "AWS"
      identifiers = [module.ci_access_111111111111.plan_role_arns["dev"], module.ci_access_111111111111.apply_role_arns["dev"]]
    }
  }

  statement {
    sid       = "Lock0"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.state.arn}/environments/dev/terraform.tfstate.tflock"]

    principals {
      type        = "AWS"
      identifiers = [module.ci_access_111111111111.plan_role_arns["dev"], module.ci_access_111111111111.apply_role_arns["dev"]]
    }
  }

  statement {
    sid       = "Read0"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.state.arn}/environments/dev/terraform.tfstate"]

    principals {
      type        = "AWS"
      identifiers = [module.ci_access_111111111111.plan_role_arns["dev"], module.ci_access_111111111111.apply_role_arns["dev"]]
    }
  }

  statement {
    sid       = "Write0"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.state.arn}/environments/dev/terraform.tfstate"]

    principals {
      type        = "AWS"
      identifiers = [module.ci_access_111111111111.apply_role_arns["dev"]]
    }
  }

  # staging (account 222222222222): its plan and apply roles reach its own state and lock only.
  statement {
    sid       = "List1"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.state.arn]

    principals {
      type        = "AWS"
      identifiers = [module.ci_access_222222222222.plan_role_arns["staging"], module.ci_access_222222222222.apply_role_arns["staging"]]
    }
  }

  statement {
    sid       = "Lock1"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.state.arn}/environments/staging/terraform.tfstate.tflock"]

    principals {
      type        = "AWS"
      identifiers = [module.ci_access_222222222222.plan_role_arns["staging"], module.ci_access_222222222222.apply_role_arns["staging"]]
    }
  }

  statement {
    sid       = "Read1"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.state.arn}/environments/staging/terraform.tfstate"]

    principals {
      type        = "AWS"
      identifiers = [module.ci_access_222222222222.plan_role_arns["staging"], module.ci_access_222222222222.apply_role_arns["staging"]]
    }
  }

  statement {
    sid       = "Write1"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.state.arn}/environments/staging/terraform.tfstate"]

    principals {
      type        = "AWS"
      identifiers = [module.ci_access_222222222222.apply_role_arns["staging"]]
    }
  }

  # prod (account 333333333333): its plan and apply roles reach its own state and lock only.
  statement {
    sid       = "List2"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.state.arn]

    principals {
      type        = "AWS"
      identifiers = [module.ci_access_333333333333.plan_role_arns["prod"], module.ci_access_333333333333.apply_role_arns["prod"]]
    }
  }

  statement {
    sid       = "Lock2"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.state.arn}/environments/prod/terraform.tfstate.tflock"]

    principals {
      type        = "AWS"
      identifiers = [module.ci_access_333333333333.plan_role_arns["prod"], module.ci_access_333333333333.apply_role_arns["prod"]]
    }
  }

  statement {
    sid       = "Read2"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.state.arn}/environments/prod/terraform.tfstate"]

    principals {
      type        = "AWS"
      identifiers = [module.ci_access_333333333333.plan_role_arns["prod"], module.ci_access_333333333333.apply_role_arns["prod"]]
    }
  }

  statement {
    sid       = "Write2"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.state.arn}/environments/prod/terraform.tfstate"]

    principals {
      type        = "AWS"
      identifiers = [module.ci_access_333333333333.apply_role_arns["prod"]]
    }
  }
}

# Break glass: the one role that may delete state versions or change how the bucket keeps them
# (README.md, "Recovering state"). People of this account assume it with MFA; no workflow can.
resource "aws_iam_role" "state_break_glass" {
  #checkov:skip=CKV_AWS_61:Break glass: trusts this account with MFA on purpose; the identity policies of this account decide who may assume it.
  name                 = "state-break-glass"
  description          = "Break glass: delete state versions or change how ${local.state_bucket} keeps them"
  max_session_duration = 3600

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::000111222333:root" }
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
}

resource "aws_iam_role_policy" "state_break_glass" {
  name = "state-bucket"
  role = aws_iam_role.state_break_glass.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "StateBucket"
      Effect   = "Allow"
      Action   = ["s3:*"]
      Resource = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]
    }]
  })
}

resource "aws_s3_bucket_policy" "state" {
  bucket = aws_s3_bucket.state.id
  policy = data.aws_iam_policy_document.state.json

  # Last: from here on, only the break-glass role may change versioning, the lock or the expiry.
  depends_on = [
    aws_s3_bucket_public_access_block.state,
    aws_s3_bucket_versioning.state,
    aws_s3_bucket_object_lock_configuration.state,
    aws_s3_bucket_lifecycle_configuration.state,
  ]
}

################################################################################
# GitHub OIDC provider and the infra repo's CI roles, per account
################################################################################

# Account 000111222333 (global): global.
module "ci_access" {
  source = "../terraform/ci-access"

  state_bucket = local.state_bucket
  roots = {
    global = {
      plan_role         = "gha-infra-plan-global"
      plan_subjects     = ["repo:Globex-Corp/globex-infra:pull_request:job_workflow_ref:Globex-Corp/globex-infra/.github/workflows/terraform.yaml@refs/pull/*/merge", "repo:Globex-Corp/globex-infra:ref:refs/heads/main:job_workflow_ref:Globex-Corp/globex-infra/.github/workflows/drift.yaml@refs/heads/main"]
      apply_role        = "gha-infra-apply-global"
      apply_subject     = "repo:Globex-Corp/globex-infra:environment:global:job_workflow_ref:Globex-Corp/globex-infra/.github/workflows/terraform.yaml@refs/heads/main"
      state_key         = "global/terraform.tfstate"
      root_tag          = "global"
      plan_secret_names = []
    }
  }
}

# Account 111111111111: dev.
module "ci_access_111111111111" {
  source = "../terraform/ci-access"
  providers = {
    aws = aws.account_111111111111
  }

  state_bucket = local.state_bucket
  roots = {
    "dev" = {
      plan_role         = "gha-infra-plan-dev"
      plan_subjects     = ["repo:Globex-Corp/globex-infra:pull_request:job_workflow_ref:Globex-Corp/globex-infra/.github/workflows/terraform.yaml@refs/pull/*/merge", "repo:Globex-Corp/globex-infra:ref:refs/heads/main:job_workflow_ref:Globex-Corp/globex-infra/.github/workflows/drift.yaml@refs/heads/main"]
      apply_role        = "gha-infra-apply-dev"
      apply_subject     = "repo:Globex-Corp/globex-infra:environment:dev:job_workflow_ref:Globex-Corp/globex-infra/.github/workflows/terraform.yaml@refs/heads/main"
      state_key         = "environments/dev/terraform.tfstate"
      root_tag          = "environments/dev"
      plan_secret_names = ["argocd/dev-gitops-repo"]
    }
  }
}

# Account 222222222222: staging.
module "ci_access_222222222222" {
  source = "../terraform/ci-access"
  providers = {
    aws = aws.account_222222222222
  }

  state_bucket = local.state_bucket
  roots = {
    "staging" = {
      plan_role         = "gha-infra-plan-staging"
      plan_subjects     = ["repo:Globex-Corp/globex-infra:pull_request:job_workflow_ref:Globex-Corp/globex-infra/.github/workflows/terraform.yaml@refs/pull/*/merge", "repo:Globex-Corp/globex-infra:ref:refs/heads/main:job_workflow_ref:Globex-Corp/globex-infra/.github/workflows/drift.yaml@refs/heads/main"]
      apply_role        = "gha-infra-apply-staging"
      apply_subject     = "repo:Globex-Corp/globex-infra:environment:staging:job_workflow_ref:Globex-Corp/globex-infra/.github/workflows/terraform.yaml@refs/heads/main"
      state_key         = "environments/staging/terraform.tfstate"
      root_tag          = "environments/staging"
      plan_secret_names = ["argocd/staging-gitops-repo"]
    }
  }
}

# Account 333333333333: prod.
module "ci_access_333333333333" {
  source = "../terraform/ci-access"
  providers = {
    aws = aws.account_333333333333
  }

  state_bucket = local.state_bucket
  roots = {
    "prod" = {
      plan_role         = "gha-infra-plan-prod"
      plan_subjects     = ["repo:Globex-Corp/globex-infra:environment:prod-plan:job_workflow_ref:Globex-Corp/globex-infra/.github/workflows/terraform.yaml@refs/pull/*/merge", "repo:Globex-Corp/globex-infra:ref:refs/heads/main:job_workflow_ref:Globex-Corp/globex-infra/.github/workflows/drift.yaml@refs/heads/main", "repo:Globex-Corp/globex-infra:ref:refs/heads/main:job_workflow_ref:Globex-Corp/globex-infra/.github/workflows/terraform.yaml@refs/heads/main"]
      apply_role        = "gha-infra-apply-prod"
      apply_subject     = "repo:Globex-Corp/globex-infra:environment:prod:job_workflow_ref:Globex-Corp/globex-infra/.github/workflows/terraform.yaml@refs/heads/main"
      state_key         = "environments/prod/terraform.tfstate"
      root_tag          = "environments/prod"
      plan_secret_names = ["argocd/prod-gitops-repo"]
    }
  }
}
