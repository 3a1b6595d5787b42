# One-time bootstrap, applied by hand (README.md in this folder): the Terraform state bucket in the
# global account, and in every account of the platform the GitHub OIDC provider and the plan and
# apply roles the infra repo's CI runs each root with. CI never applies this root, so no pull request
# can widen the roles CI itself uses.

locals {
  region       = "us-east-1"
  state_bucket = "acme-tfstate-123456789012"

  tags = {
    platform     = "acme"
    repository   = "acme/acme-infra"
    root         = "bootstrap"
    "managed-by" = "terraform"
  }
}

################################################################################
# State bucket
################################################################################

resource "aws_s3_bucket" "state" {
  #checkov:skip=CKV_AWS_18:Access to state is audited with CloudTrail S3 data events (README.md), not with a second logging bucket.
  #checkov:skip=CKV_AWS_144:Versioning plus prevent_destroy protect the state; add cross-region replication if your disaster-recovery plan needs it.
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

# Old state versions stay restorable for 90 days.
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
}

resource "aws_s3_bucket_policy" "state" {
  bucket = aws_s3_bucket.state.id
  policy = data.aws_iam_policy_document.state.json

  depends_on = [aws_s3_bucket_public_access_block.state]
}

################################################################################
# GitHub OIDC provider and the infra repo's CI roles, per account
################################################################################

# Account 123456789012 (global): global, dev, prod.
module "ci_access" {
  source = "../terraform/ci-access"

  state_bucket = local.state_bucket
  roots = {
    global = {
      plan_role         = "gha-infra-plan-global"
      plan_subjects     = ["repo:acme/acme-infra:pull_request", "repo:acme/acme-infra:ref:refs/heads/main"]
      apply_role        = "gha-infra-apply-global"
      apply_subject     = "repo:acme/acme-infra:environment:global"
      state_key         = "global/terraform.tfstate"
      plan_secret_names = []
    }
    "dev" = {
      plan_role         = "gha-infra-plan-dev"
      plan_subjects     = ["repo:acme/acme-infra:pull_request", "repo:acme/acme-infra:ref:refs/heads/main"]
      apply_role        = "gha-infra-apply-dev"
      apply_subject     = "repo:acme/acme-infra:environment:dev"
      state_key         = "environments/dev/terraform.tfstate"
      plan_secret_names = ["argocd/dev-gitops-repo"]
    }
    "prod" = {
      plan_role         = "gha-infra-plan-prod"
      plan_subjects     = ["repo:acme/acme-infra:environment:prod-plan", "repo:acme/acme-infra:ref:refs/heads/main"]
      apply_role        = "gha-infra-apply-prod"
      apply_subject     = "repo:acme/acme-infra:environment:prod"
      state_key         = "environments/prod/terraform.tfstate"
      plan_secret_names = ["argocd/prod-gitops-repo"]
    }
  }
}
