# State of the global root in the state bucket (bootstrap/). S3 keeps the lock as a .tflock object
# next to the state; no DynamoDB table.
terraform {
  backend "s3" {
    bucket       = "globex-tfstate-000111222333"
    key          = "global/terraform.tfstate"
    region       = "eu-west-1"
    encrypt      = true
    use_lockfile = true
  }
}
