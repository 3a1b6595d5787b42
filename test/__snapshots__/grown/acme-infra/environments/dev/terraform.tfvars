# The dev environment's own values (see variables.tf). The generator wrote this file once and
# never changes it again: it is yours.

# Allocated to dev once and recorded in .yo-rc.json (vpcCidrs): no other environment gets it,
# also after dev is removed. Changing it replaces the VPC and everything in it.
vpc_cidr = "10.10.0.0/16"

# The API endpoint is public for GitHub-hosted runners; it still requires IAM authentication.
endpoint_public_access_cidrs = ["0.0.0.0/0"]

# IAM roles of account 123456789012 with admin access to the cluster (the clusterAdmins answer; for
# example "arn:aws:iam::123456789012:role/platform-admin"). CI's apply and plan roles, and the
# developers' read-only role, have their access already (terraform/eks).
cluster_admin_arns = []

cluster_deletion_protection = false

node_instance_types = ["t3.large"]
node_min_size       = 2
node_max_size       = 4
node_desired_size   = 2

argocd_repo_credential_revision = 1

# Argo CD settings of your own, as values of the argo-cd chart (they override the generated ones),
# for example RBAC and an SSO connector:
# argocd_extra_values = <<-EOT
#   configs:
#     rbac:
#       policy.default: role:readonly
#       policy.csv: |
#         g, acme:platform, role:admin
# EOT
