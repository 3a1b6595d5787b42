# tflint (the "checks" job of .github/workflows/terraform.yaml; locally:
# tflint --recursive --config "$PWD/.tflint.hcl"). The terraform ruleset bundled with tflint, recommended
# preset, so nothing is downloaded; local module calls are followed into terraform/.
config {
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "recommended"
}
