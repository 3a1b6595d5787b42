variable "name" {
  description = "Name (Name tag) of the VPC and prefix of its resources."
  type        = string
}

variable "cidr" {
  description = "IPv4 CIDR of the VPC (a /16 leaves room for three /20 private subnets)."
  type        = string
}

variable "one_nat_gateway_per_az" {
  description = "One NAT gateway per availability zone (production); otherwise a single shared one."
  type        = bool
}

variable "flow_log_retention_days" {
  description = "Days to keep the VPC flow logs in CloudWatch."
  type        = number
}
