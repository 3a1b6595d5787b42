variable "ecr_keep_images" {
  description = "Images each ECR repository keeps; older ones expire. Keep it well above the number of pushes between a build and its production deploy."
  type        = number
}
