# Run by hand with administrator credentials, never by CI.
# The global account 123456789012 (state bucket, ECR, service CI roles): credentials from your
# environment (AWS_PROFILE, SSO, ...).
provider "aws" {
  region              = local.region
  allowed_account_ids = ["123456789012"]

  default_tags {
    tags = local.tags
  }
}
