variable "account_profiles" {
  description = "AWS CLI profile with administrator rights in each environment account other than the global one, by account ID (for example IAM Identity Center profiles)."
  type        = map(string)
}
