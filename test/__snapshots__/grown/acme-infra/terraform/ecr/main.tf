# One ECR repository: immutable tags (an image is built once, the same digest runs everywhere),
# scan on push, a lifecycle policy, and pull access for the environment accounts. Push access is
# granted on the service's CI role (global/), not here.
data "aws_partition" "current" {}

module "repository" {
  #checkov:skip=CKV_TF_1:Registry module pinned to an exact version from the generator's pin table (Renovate bumps it); a commit hash would bypass the registry's version resolution.
  source  = "terraform-aws-modules/ecr/aws"
  version = "3.2.0"

  repository_name                 = var.name
  repository_image_tag_mutability = "IMMUTABLE"
  repository_image_scan_on_push   = true
  repository_force_delete         = false

  # Without other accounts the module's default policy names this account only.
  repository_read_access_arns = [for id in var.pull_account_ids : "arn:${data.aws_partition.current.partition}:iam::${id}:root"]

  create_lifecycle_policy = true
  repository_lifecycle_policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Keep the newest ${var.keep_images} images; deployed digests are far newer than that"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = var.keep_images
        }
        action = {
          type = "expire"
        }
      },
    ]
  })
}
