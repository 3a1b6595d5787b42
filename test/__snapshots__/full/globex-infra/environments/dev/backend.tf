# State of the dev root in the state bucket of the global account (bootstrap/). S3 keeps the lock as
# a .tflock object next to the state; no DynamoDB table. This environment has its own
# account: the bucket policy lets its plan and apply roles reach this key (and nothing else) across accounts.
terraform {
  backend "s3" {
    bucket       = "globex-tfstate-000111222333"
    key          = "environments/dev/terraform.tfstate"
    region       = "eu-west-1"
    encrypt      = true
    use_lockfile = true
  }
}
