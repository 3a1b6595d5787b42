variable "ecr_keep_deployed_images" {
  description = "Of the images promoted to each environment after the first, how many of the latest each ECR repository keeps (whatever runs there now is always among them): a git revert in the GitOps repo can go back this many promotions."
  type        = number
  default     = 20
}

variable "ecr_keep_images" {
  description = "Images that no promotion tagged (see ecr_keep_deployed_images) each ECR repository keeps; older ones expire. The first environment runs the newest of them: a git revert there can go back this many builds."
  type        = number
}
