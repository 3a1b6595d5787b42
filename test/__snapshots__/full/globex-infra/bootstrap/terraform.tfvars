# AWS CLI profiles (~/.aws/config) with administrator rights in each environment account, by account
# ID. Edit the names to match your profiles; allowed_account_ids in providers.tf stops a profile
# that points at the wrong account. The generator wrote this file once: it is yours.
account_profiles = {
  "111111111111" = "globex-dev"
  "222222222222" = "globex-staging"
  "333333333333" = "globex-prod"
}
