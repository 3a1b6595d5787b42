# Credentials come from the environment: in CI, the OIDC role of this root (the read-only plan role
# on pull requests, in the "prod-plan"
# GitHub Environment, the apply role in the "prod" GitHub Environment), both in account
# 123456789012. No assume_role here, so plan and apply each keep their own role;
# allowed_account_ids refuses to run against any other account.
provider "aws" {
  region              = local.region
  allowed_account_ids = [local.account_id]

  default_tags {
    tags = local.tags
  }
}

# The cluster's API, authenticated with a fresh token of the same AWS credentials (access entries).
provider "helm" {
  kubernetes = {
    host                   = module.eks.cluster_endpoint
    cluster_ca_certificate = base64decode(module.eks.cluster_certificate_authority_data)
    exec = {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = ["eks", "get-token", "--cluster-name", module.eks.cluster_name, "--region", local.region]
    }
  }
}

provider "kubernetes" {
  host                   = module.eks.cluster_endpoint
  cluster_ca_certificate = base64decode(module.eks.cluster_certificate_authority_data)
  exec {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "aws"
    args        = ["eks", "get-token", "--cluster-name", module.eks.cluster_name, "--region", local.region]
  }
}
