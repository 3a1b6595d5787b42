#!/usr/bin/env bash
# Renders what Argo CD applies from this repo, environment by environment, into a folder:
#
#   scripts/render.sh [--repo <dir>] <output-dir>
#
# For each environment (a folder under argocd/ of the repo, default the one this script is in):
#   <output-dir>/<env>/argocd/...               the files the root Application applies, as they are
#   <output-dir>/<env>/applications/<name>.yaml  the manifests of each Application, rendered as
#                                                Argo CD renders them
# A chart in this repo is rendered with its release name, namespace and value files ($values/ is
# the repo's root) and its valuesObject; a chart from a Helm repository is pulled at its pinned
# version and rendered with its values (this needs the network). Fields the Application tells
# Argo CD to ignore (ignoreDifferences) are left out, as Argo CD's diff leaves them out, and the
# values of every Secret are replaced by "(redacted)": the output may be posted where many can read.
# scripts/diff.sh runs this on both sides of a pull request.
#
# Needs helm 3 and mikefarah yq v4 on PATH. Environment (optional):
#   KUBERNETES_VERSION  Kubernetes version to render for (default 1.34.0)
#   CHART_CACHE         folder that keeps pulled charts between runs (default: a temporary one)
set -euo pipefail
shopt -s inherit_errexit

KUBERNETES_VERSION=${KUBERNETES_VERSION:-1.34.0}

usage() {
  echo "usage: scripts/render.sh [--repo <dir>] <output-dir>" >&2
  exit 2
}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ ${1:-} == --repo ]]; then
  [[ $# -ge 2 ]] || usage
  repo=$(cd "$2" && pwd)
  shift 2
fi
[[ $# -eq 1 && -n $1 && $1 != -* ]] || usage
mkdir -p "$1"
out=$(cd "$1" && pwd)

for tool in helm yq; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "render: $tool is not on PATH (see README.md, \"Validate locally\")" >&2
    exit 1
  fi
done
if ! yq --version 2>&1 | grep -q 'mikefarah'; then
  echo "render: the yq on PATH is not mikefarah yq v4" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# helm pull leaves temporary folders behind; they go with this run's.
mkdir "$work/tmp"
export TMPDIR=$work/tmp
cache=${CHART_CACHE:-$work/charts}
mkdir -p "$cache"

fail() {
  echo "render: $*" >&2
  exit 1
}

# A chart from a Helm repository, pulled once per repository, chart and version.
pulled_chart() {
  local url=$1 chart=$2 version=$3 dir
  dir=$cache/$(printf '%s' "$url $chart $version" | sha256sum | cut -c1-16)
  if [[ ! -d $dir/$chart ]]; then
    # A pull that failed or was interrupted leaves its partial folder: start it afresh.
    rm -rf "$dir.partial"
    mkdir -p "$dir.partial"
    if [[ $url == oci://* ]]; then
      helm pull "${url%/}/$chart" --version "$version" --untar --untardir "$dir.partial" >&2 ||
        fail "cannot pull ${url%/}/$chart $version"
    else
      helm pull "$chart" --repo "$url" --version "$version" --untar --untardir "$dir.partial" >&2 ||
        fail "cannot pull $chart $version from $url"
    fi
    rm -rf "$dir"
    mv "$dir.partial" "$dir"
  fi
  echo "$dir/$chart"
}

# Leaves out what an Application's ignoreDifferences names, and redacts every Secret's values.
as_argocd_compares() {
  local app=$1 manifests=$2 count i expr kind group name namespace match path
  count=$(yq '.spec.ignoreDifferences // [] | length' "$app")
  expr='.'
  for ((i = 0; i < count; i++)); do
    kind=$(yq ".spec.ignoreDifferences[$i].kind" "$app")
    group=$(yq ".spec.ignoreDifferences[$i].group // \"\"" "$app")
    name=$(yq ".spec.ignoreDifferences[$i].name // \"\"" "$app")
    namespace=$(yq ".spec.ignoreDifferences[$i].namespace // \"\"" "$app")
    # The group is the part of apiVersion before the slash ("" for the core group).
    match=".kind == \"$kind\" and ((.apiVersion | sub(\"/?[^/]*\$\"; \"\")) == \"$group\")"
    [[ -n $name ]] && match+=" and .metadata.name == \"$name\""
    [[ -n $namespace ]] && match+=" and (.metadata.namespace // \"\") == \"$namespace\""
    while IFS= read -r path; do
      [[ -n $path ]] && expr+=" | del(select($match) | $path)"
    done < <(yq ".spec.ignoreDifferences[$i].jqPathExpressions // [] | .[]" "$app")
    while IFS= read -r pointer; do
      [[ -z $pointer ]] && continue
      # A JSON pointer (/a/b~1c/0) as a yq path (.["a"]["b/c"][0]).
      path=""
      IFS=/ read -r -a parts <<<"${pointer#/}"
      for part in "${parts[@]}"; do
        part=${part//\~1//}
        part=${part//\~0/\~}
        if [[ $part =~ ^[0-9]+$ ]]; then path+="[$part]"; else path+="[\"$part\"]"; fi
      done
      expr+=" | del(select($match) | .$path)"
    done < <(yq ".spec.ignoreDifferences[$i].jsonPointers // [] | .[]" "$app")
  done
  local secret='.kind == "Secret" and .apiVersion == "v1"'
  expr+=" | with(select($secret and (.data | tag) == \"!!map\"); .data[] = \"(redacted)\")"
  expr+=" | with(select($secret and (.stringData | tag) == \"!!map\"); .stringData[] = \"(redacted)\")"
  yq "$expr" "$manifests"
}

# The manifests of one Application, as Argo CD renders its sources.
render_application() {
  local app=$1 name namespace release sources i kind url path chart version dir values_args value_file
  name=$(yq '.metadata.name' "$app")
  namespace=$(yq '.spec.destination.namespace // ""' "$app")
  sources=$(yq '(.spec.sources // [.spec.source]) | length' "$app")
  for ((i = 0; i < sources; i++)); do
    local source="(.spec.sources // [.spec.source])[$i]"
    # A source with only a ref (the $values source) renders nothing of its own.
    [[ $(yq "$source | (has(\"path\") or has(\"chart\"))" "$app") == true ]] || continue
    url=$(yq "$source.repoURL" "$app")
    release=$(yq "$source.helm.releaseName // \"$name\"" "$app")
    if [[ $(yq "$source | has(\"chart\")" "$app") == true ]]; then
      chart=$(yq "$source.chart" "$app")
      version=$(yq "$source.targetRevision" "$app")
      dir=$(pulled_chart "$url" "$chart" "$version")
      kind=helm
    else
      path=$(yq "$source.path" "$app")
      dir=$repo/$path
      [[ -d $dir ]] || fail "$app: source path $path does not exist in this repo"
      if [[ -f $dir/Chart.yaml ]]; then kind=helm; else kind=directory; fi
    fi
    if [[ $kind == directory ]]; then
      local depth=(-maxdepth 1)
      [[ $(yq "$source.directory.recurse // false" "$app") == true ]] && depth=()
      find "$dir" "${depth[@]}" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -print0 |
        sort -z | xargs -0 -r yq '.'
      continue
    fi
    values_args=()
    while IFS= read -r value_file; do
      [[ -z $value_file ]] && continue
      case $value_file in
        "\$values/"*) value_file=$repo/${value_file#"\$values/"} ;;
        *) value_file=$dir/$value_file ;;
      esac
      [[ -f $value_file ]] || fail "$app: value file $value_file does not exist"
      values_args+=(-f "$value_file")
    done < <(yq "$source.helm.valueFiles // [] | .[]" "$app")
    if [[ $(yq "$source.helm | has(\"values\")" "$app") == true ]]; then
      yq "$source.helm.values" "$app" >"$work/values-$i.yaml"
      values_args+=(-f "$work/values-$i.yaml")
    fi
    if [[ $(yq "$source.helm | has(\"valuesObject\")" "$app") == true ]]; then
      yq "$source.helm.valuesObject" "$app" >"$work/values-object-$i.yaml"
      values_args+=(-f "$work/values-object-$i.yaml")
    fi
    helm template "$release" "$dir" --namespace "$namespace" --kube-version "$KUBERNETES_VERSION" \
      "${values_args[@]}" || fail "$app: helm template failed"
  done
}

shopt -s nullglob
envs=("$repo"/argocd/*/)
((${#envs[@]} > 0)) || fail "no environments under $repo/argocd/"
for env_dir in "${envs[@]}"; do
  env=$(basename "$env_dir")
  mkdir -p "$out/$env/applications"
  while IFS= read -r -d '' file; do
    relative=${file#"$repo/"}
    mkdir -p "$out/$env/$(dirname "$relative")"
    cp "$file" "$out/$env/$relative"
    [[ $(yq '.kind' "$file") == Application ]] || continue
    name=$(yq '.metadata.name' "$file")
    render_application "$file" >"$work/manifests.yaml"
    as_argocd_compares "$file" "$work/manifests.yaml" >"$out/$env/applications/$name.yaml"
  done < <(find "$env_dir" -type f \( -name '*.yaml' -o -name '*.yml' \) -print0 | sort -z)
done
