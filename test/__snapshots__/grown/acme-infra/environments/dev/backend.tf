# State of the dev root in the state bucket of the global account (bootstrap/). S3 keeps the lock as
# a .tflock object next to the state; no DynamoDB table.
terraform {
  backend "s3" {
    bucket       = "acme-tfstate-123456789012"
    key          = "environments/dev/terraform.tfstate"
    region       = "us-east-1"
    encrypt      = true
    use_lockfile = true
  }
}
