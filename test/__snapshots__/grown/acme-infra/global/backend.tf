# State of the global root in the state bucket (bootstrap/). S3 keeps the lock as a .tflock object
# next to the state; no DynamoDB table.
terraform {
  backend "s3" {
    bucket       = "acme-tfstate-123456789012"
    key          = "global/terraform.tfstate"
    region       = "us-east-1"
    encrypt      = true
    use_lockfile = true
  }
}
