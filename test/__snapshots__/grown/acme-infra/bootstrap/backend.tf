# Step 2 of README.md: bootstrap's first apply runs with local state (the bucket does not exist
# yet). Then uncomment this block and run `terraform init -migrate-state` to move the state into
# the bucket it just created. The generator wrote this file once: it is yours.
#
# terraform {
#   backend "s3" {
#     bucket       = "acme-tfstate-123456789012"
#     key          = "bootstrap/terraform.tfstate"
#     region       = "us-east-1"
#     encrypt      = true
#     use_lockfile = true
#   }
# }
