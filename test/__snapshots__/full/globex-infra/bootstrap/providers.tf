# Run by hand with administrator credentials, never by CI.
# The global account 000111222333 (state bucket, ECR, service CI roles): credentials from your
# environment (AWS_PROFILE, SSO, ...).
provider "aws" {
  region              = local.region
  allowed_account_ids = ["000111222333"]

  default_tags {
    tags = local.tags
  }
}

# Account 111111111111 (dev): credentials from the AWS CLI profile
# given for it in terraform.tfvars.
provider "aws" {
  alias               = "account_111111111111"
  region              = local.region
  profile             = var.account_profiles["111111111111"]
  allowed_account_ids = ["111111111111"]

  default_tags {
    tags = local.tags
  }
}

# Account 222222222222 (staging): credentials from the AWS CLI profile
# given for it in terraform.tfvars.
provider "aws" {
  alias               = "account_222222222222"
  region              = local.region
  profile             = var.account_profiles["222222222222"]
  allowed_account_ids = ["222222222222"]

  default_tags {
    tags = local.tags
  }
}

# Account 333333333333 (prod): credentials from the AWS CLI profile
# given for it in terraform.tfvars.
provider "aws" {
  alias               = "account_333333333333"
  region              = local.region
  profile             = var.account_profiles["333333333333"]
  allowed_account_ids = ["333333333333"]

  default_tags {
    tags = local.tags
  }
}
