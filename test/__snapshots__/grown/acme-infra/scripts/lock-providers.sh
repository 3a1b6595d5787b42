#!/usr/bin/env bash
# Writes the provider lock file (.terraform.lock.hcl) of every root, with the checksums of the
# platforms CI and your machines run on. CI initializes with -lockfile=readonly: it uses exactly the
# provider builds these files name and fails on a root without one. Run it once before the first
# push (and after adding a root), with network access to the Terraform registry, then commit the
# files. Renovate keeps them current afterwards.
#
#   scripts/lock-providers.sh
#
# Exit codes: 0 done, 1 failed (terraform missing, registry unreachable).
set -euo pipefail

# Every root: applied by hand (bootstrap) or by CI.
ROOTS=('bootstrap' 'global' 'environments/dev' 'environments/prod')
PLATFORMS=(linux_amd64 darwin_arm64)

command -v terraform >/dev/null || {
  echo "lock-providers: terraform is not installed" >&2
  exit 1
}
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for root in "${ROOTS[@]}"; do
  echo "lock-providers: $root"
  # Installs the modules, so that the providers they require are locked too; no backend needed.
  terraform -chdir="$root" init -backend=false -input=false >/dev/null
  terraform -chdir="$root" providers lock "${PLATFORMS[@]/#/-platform=}"
done
echo "lock-providers: commit the .terraform.lock.hcl of each root"
