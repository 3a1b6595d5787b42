#!/usr/bin/env bash
# Tears one environment down in the order that leaves nothing behind: first what Argo CD deployed
# (the root Application's finalizer deletes every Application, and theirs what they deployed, each
# Ingress's ALB included), waiting until no Application, Ingress or load balancer Service is left;
# only then the environment's Terraform root (cluster, roles, certificate, VPC). Run with that
# environment's apply role or administrator credentials, after setting cluster_deletion_protection
# = false in its terraform.tfvars and applying that (README.md, "Teardown order").
#
#   scripts/teardown.sh <environment>          asks before each destructive step
#   scripts/teardown.sh <environment> --yes    for a script that has already decided
#
# Needs aws, kubectl and terraform. Exit codes: 0 torn down, 1 failed or timed out (nothing after the
# failed step ran; run it again), 2 refused: bad arguments, or the answer was not "yes".
set -euo pipefail

ENVIRONMENTS=('dev' 'staging' 'prod')
declare -A CLUSTER=(['dev']='globex-dev' ['staging']='globex-staging' ['prod']='globex-prod')
declare -A ROOT_DIR=(['dev']='environments/dev' ['staging']='environments/staging' ['prod']='environments/prod')
readonly REGION='eu-west-1'
readonly NAMESPACE='argocd'
readonly ROOT_APPLICATION='root'
# How long Argo CD may take to delete what it deployed (ALBs take minutes), in seconds.
TIMEOUT=${TEARDOWN_TIMEOUT:-1800}
# Between two looks at what is left, in seconds.
INTERVAL=${TEARDOWN_INTERVAL:-15}

refuse() {
  printf 'teardown: %s\n' "$*" >&2
  exit 2
}

fail() {
  printf 'teardown: %s\n' "$*" >&2
  exit 1
}

env=${1:-}
yes=${2:-}
if [[ -z $env || $# -gt 2 || ($# == 2 && $yes != --yes) ]]; then
  refuse "usage: scripts/teardown.sh <environment> [--yes]   (environments: ${ENVIRONMENTS[*]})"
fi
if [[ ! $env =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] || [[ ! -v CLUSTER[$env] ]]; then
  refuse "unknown environment '$env' (environments: ${ENVIRONMENTS[*]})"
fi
for tool in aws kubectl terraform; do
  command -v "$tool" >/dev/null || fail "$tool is not installed"
done
cd "$(dirname "${BASH_SOURCE[0]}")/.."

confirm() {
  [[ $yes == --yes ]] && return 0
  local answer
  read -r -p "teardown: $1 Type yes to go on: " answer || true
  [[ $answer == yes ]] || refuse "stopped before: $1"
}

# What Argo CD deployed that still exists: Applications, Ingresses, load balancer Services.
leftovers() {
  {
    kubectl get applications.argoproj.io -n "$NAMESPACE" -o name
    kubectl get ingresses --all-namespaces -o name
    kubectl get services --all-namespaces -o jsonpath='{range .items[?(@.spec.type=="LoadBalancer")]}{.metadata.namespace}/{.metadata.name}{"\n"}{end}'
  } | sed '/^$/d'
}

kubeconfig=$(mktemp)
trap 'rm -f "$kubeconfig"' EXIT
export KUBECONFIG=$kubeconfig
aws eks update-kubeconfig --region "$REGION" --name "${CLUSTER[$env]}" >/dev/null ||
  fail "cannot reach the cluster ${CLUSTER[$env]}"

confirm "delete everything Argo CD deployed in $env (${CLUSTER[$env]}), then wait for it to be gone."
echo "teardown: 1/2 deleting the root Application $ROOT_APPLICATION in $env"
kubectl delete application.argoproj.io "$ROOT_APPLICATION" -n "$NAMESPACE" --ignore-not-found --wait=false
deadline=$((SECONDS + TIMEOUT))
while left=$(leftovers) && [[ -n $left ]]; do
  if ((SECONDS >= deadline)); then
    fail "still there after ${TIMEOUT}s (nothing else was deleted):"$'\n'"$left"
  fi
  echo "teardown: waiting for $(wc -l <<<"$left") object(s): $(head -n 3 <<<"$left" | tr '\n' ' ')"
  sleep "$INTERVAL"
done
echo "teardown: nothing Argo CD deployed is left in $env"

confirm "destroy the Terraform root ${ROOT_DIR[$env]} (cluster, roles, certificate, VPC)."
echo "teardown: 2/2 terraform destroy in ${ROOT_DIR[$env]}"
terraform -chdir="${ROOT_DIR[$env]}" init -input=false -lockfile=readonly
terraform -chdir="${ROOT_DIR[$env]}" destroy -input=false -auto-approve
echo "teardown: $env is gone; its state history stays in the bucket"
