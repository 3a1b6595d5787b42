# Credentials come from the environment: in CI, the plan role on pull requests and the apply role
# in the "global" GitHub Environment, both in the global account 123456789012.
# allowed_account_ids refuses to run against any other account.
provider "aws" {
  region              = local.region
  allowed_account_ids = [local.account_id]

  default_tags {
    tags = local.tags
  }
}
