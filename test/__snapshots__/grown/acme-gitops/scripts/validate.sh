#!/usr/bin/env bash
# Validates this repo the way Argo CD will use it. CI (.github/workflows/validate.yaml) runs it on
# every pull request and push to main; run it locally before pushing:
#
#   scripts/validate.sh
#
# For every Argo CD Application under argocd/*/apps/ it reads the chart path, release name,
# destination namespace and value files from the Application itself ($values/ is this repo's
# root), then runs `helm lint --strict` and `helm template` exactly as Argo CD renders it, and
# checks the output with `kubeconform -strict`. Each Application is rendered twice: as committed,
# and with a placeholder image digest, so the Deployment/HPA/PDB path is checked before the first
# deploy. Then it checks every manifest under argocd/ with kubeconform, and that no tracked file
# holds merge-conflict markers.
#
# Needs helm 3, kubeconform and mikefarah yq v4 on PATH. Environment (optional):
#   KUBERNETES_VERSION            Kubernetes version to validate against (default 1.34.0)
#   KUBECONFORM_SCHEMA_LOCATIONS  space-separated kubeconform -schema-location values (default:
#                                 Kubernetes' own schemas plus the datree CRDs-catalog; set local
#                                 folders here to validate offline)
set -euo pipefail

KUBERNETES_VERSION=${KUBERNETES_VERSION:-1.34.0}
KUBECONFORM_SCHEMA_LOCATIONS=${KUBECONFORM_SCHEMA_LOCATIONS:-'default https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json'}
readonly PLACEHOLDER_DIGEST=sha256:0000000000000000000000000000000000000000000000000000000000000000

cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing=()
for tool in helm kubeconform yq; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]} > 0)); then
  echo "validate: missing tools: ${missing[*]} (see README.md, \"Validate locally\")" >&2
  exit 1
fi
if ! yq --version 2>&1 | grep -q 'mikefarah'; then
  echo "validate: the yq on PATH is not mikefarah yq v4 ($(yq --version 2>&1 | head -n 1))" >&2
  exit 1
fi

kubeconform_args=(-strict -summary -kubernetes-version "$KUBERNETES_VERSION")
read -r -a locations <<<"$KUBECONFORM_SCHEMA_LOCATIONS"
for location in "${locations[@]}"; do
  kubeconform_args+=(-schema-location "$location")
done

failures=()
step() {
  printf '\n==> %s\n' "$*"
}
failed() {
  failures+=("$1")
  printf 'FAIL: %s\n' "$1" >&2
}

# ---- Every Application: lint, render as Argo CD does, validate the manifests.
shopt -s nullglob
apps=(argocd/*/apps/*.yaml)
if ((${#apps[@]} == 0)); then
  echo "validate: no Applications under argocd/*/apps/" >&2
  exit 1
fi

for app in "${apps[@]}"; do
  name=$(yq '.metadata.name' "$app")
  # The chart source is the one with a path; the other source only provides $values.
  chart_source='[(.spec.sources // [.spec.source])[] | select(has("path"))][0]'
  chart=$(yq "$chart_source.path // \"\"" "$app")
  release=$(yq "$chart_source.helm.releaseName // \"\"" "$app")
  namespace=$(yq '.spec.destination.namespace // ""' "$app")
  mapfile -t value_files < <(yq "$chart_source.helm.valueFiles // [] | .[]" "$app")

  step "$app: Application $name, chart $chart, release $release, namespace $namespace"
  if [[ -z $chart || -z $release || -z $namespace ]]; then
    failed "$app: cannot read the chart path, helm.releaseName and destination.namespace"
    continue
  fi
  if [[ ! -f $chart/Chart.yaml ]]; then
    failed "$app: $chart/Chart.yaml does not exist"
    continue
  fi
  values_args=()
  for value_file in "${value_files[@]}"; do
    case $value_file in
      "\$values/"*) path=${value_file#"\$values/"} ;;
      *) path=$chart/$value_file ;;
    esac
    if [[ ! -f $path ]]; then
      failed "$app: value file $value_file ($path) does not exist"
      continue 2
    fi
    values_args+=(-f "$path")
  done

  if ! helm lint --strict "$chart" --namespace "$namespace" --kube-version "$KUBERNETES_VERSION" "${values_args[@]}"; then
    failed "$app: helm lint --strict"
  fi
  for variant in as-committed placeholder-digest; do
    extra=()
    [[ $variant == placeholder-digest ]] && extra=(--set "image.digest=$PLACEHOLDER_DIGEST")
    echo "--- helm template ($variant) | kubeconform"
    if ! manifests=$(helm template "$release" "$chart" --namespace "$namespace" \
      --kube-version "$KUBERNETES_VERSION" "${values_args[@]}" "${extra[@]}"); then
      failed "$app: helm template ($variant)"
      continue
    fi
    if ! kubeconform "${kubeconform_args[@]}" <<<"$manifests"; then
      failed "$app: kubeconform ($variant)"
    fi
  done
done

# ---- The Argo CD manifests themselves (AppProjects, Applications, ClusterSecretStore).
step "argocd/: kubeconform"
if ! kubeconform "${kubeconform_args[@]}" argocd/; then
  failed "argocd/: kubeconform"
fi

# ---- Every Application's project (in the same environment) allows its sources and destination,
# so an Application added or edited by hand does not fail only once Argo CD tries to sync it.
step "argocd/: each Application's AppProject allows its sources and destination"
project_checks=0
while IFS= read -r -d '' file; do
  [[ $(yq '.kind' "$file") == Application ]] || continue
  project_checks=$((project_checks + 1))
  env_dir=${file#argocd/}
  env_dir=argocd/${env_dir%%/*}
  mapfile -t env_files < <(find "$env_dir" -type f -name '*.yaml' | sort)
  project=$(yq '.spec.project' "$file")
  export PROJECT=$project
  export SERVER NAMESPACE REPO
  SERVER=$(yq '.spec.destination.server // ""' "$file")
  NAMESPACE=$(yq '.spec.destination.namespace // ""' "$file")
  # yq's `==` matches the right-hand side as a glob, as Argo CD matches project destinations
  # and source repos: `strenv(X) == .pattern`.
  select_project='select((.kind == "AppProject") and (.metadata.name == strenv(PROJECT)))'
  if [[ $(yq ea "[$select_project] | length" "${env_files[@]}") != 1 ]]; then
    failed "$file: project '$project' is not defined (once) under $env_dir/"
    continue
  fi
  allowed=$(yq ea "[$select_project | .spec.destinations[]
    | select((strenv(SERVER) == .server) and (strenv(NAMESPACE) == .namespace))]
    | length" "${env_files[@]}")
  if [[ $allowed == 0 ]]; then
    failed "$file: project '$project' does not allow destination $SERVER namespace $NAMESPACE"
  fi
  while IFS= read -r REPO; do
    allowed=$(yq ea "[$select_project | .spec.sourceRepos[] | select(strenv(REPO) == .)] | length" \
      "${env_files[@]}")
    if [[ $allowed == 0 ]]; then
      failed "$file: project '$project' does not allow source $REPO"
    fi
  done < <(yq '(.spec.sources // [.spec.source])[] | .repoURL' "$file")
done < <(find argocd -type f -name '*.yaml' -print0 | sort -z)
echo "$project_checks Applications checked"

# ---- No merge-conflict markers in tracked files.
step "merge-conflict markers"
marker_re='^(<<<<<<< |=======$|>>>>>>> )'
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  markers=$(git grep -n -I -E "$marker_re" -- . || true)
else
  markers=$(grep -r -n -I -E --exclude-dir=.git "$marker_re" . || true)
fi
if [[ -n $markers ]]; then
  printf '%s\n' "$markers" >&2
  failed "merge-conflict markers found"
else
  echo "none"
fi

echo
if ((${#failures[@]} > 0)); then
  echo "validate: ${#failures[@]} check(s) failed:" >&2
  printf '  - %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "validate: all checks passed (${#apps[@]} Applications, Kubernetes $KUBERNETES_VERSION)"
