#!/usr/bin/env bash
# Builds the live test bed's components from the Go module proxy (no other download) into
# ${GITOPS_PLATFORM_TESTBED:-$HOME/.cache/gitops-platform/testbed}:
#   bin/        etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, kwok,
#               argocd (+ the component names it runs as), git-verify-wrapper.sh
#   argocd/     Argo CD's CRDs, from the same module as the binary
#   kwok/       kwok's default stages (node heartbeat with leases, pods Ready at once), from its module
#   stamps/     what is built, so a second run takes seconds
# The wrapper modules are in scripts/testbed/modules/<component>; their go.mod pins the
# versions. A component rebuilds only when its module files change.
# Also needs redis-server and git (Debian; .ci/run installs them) and helm (install-tools.sh).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${GITOPS_PLATFORM_TESTBED:-$HOME/.cache/gitops-platform/testbed}
BIN=$OUT/bin
STAMPS=$OUT/stamps
LOGS=$OUT/logs
mkdir -p "$BIN" "$STAMPS" "$LOGS" "$OUT/argocd"

# Two runs building at once would race on the same binaries.
exec 9>"$OUT/.build.lock"
flock -w 3600 9

START=$SECONDS
log() { printf '[testbed-build +%ss] %s\n' "$((SECONDS - START))" "$*"; }
die() { printf '[testbed-build] ERROR: %s\n' "$*" >&2; exit 1; }

# Argo CD v3.6 needs Go 1.27; the go command takes that toolchain from the module proxy.
ARGOCD_GOTOOLCHAIN=go1.27.3
KWOK_VERSION=v0.8.0
# Bump when the way a component is built changes.
RECIPE=1

# The stamp of a wrapper module: its files and the recipe.
module_stamp() {
  (cd "$HERE/modules/$1" && cat go.mod go.sum ./*.go 2>/dev/null; echo "recipe=$RECIPE") | sha256sum | cut -d' ' -f1
}
stamp_ok() { [[ -f "$STAMPS/$1" && "$(cat "$STAMPS/$1")" == "$2" ]]; }

# build NAME STAMP COMMAND...: run COMMAND with its output in a log, shown only on failure.
build() {
  local name=$1 stamp=$2; shift 2
  if stamp_ok "$name" "$stamp"; then
    log "$name: up to date"
    return 0
  fi
  log "$name: building (log: $LOGS/$name.log)"
  local t0=$SECONDS
  # In a subshell: the steps cd and export freely.
  if ! ( "$@" ) >"$LOGS/$name.log" 2>&1; then
    tail -n 60 "$LOGS/$name.log" >&2
    die "$name failed (full log: $LOGS/$name.log)"
  fi
  printf '%s\n' "$stamp" >"$STAMPS/$name"
  log "$name: built in $((SECONDS - t0)) s"
}

build_etcd() {
  cd "$HERE/modules/etcd"
  go build -trimpath -ldflags=-s -o "$BIN/etcd.new" .
  mv -f "$BIN/etcd.new" "$BIN/etcd"
}

build_kubernetes() {
  cd "$HERE/modules/kubernetes"
  local tmp=$OUT/kubernetes.new
  rm -rf "$tmp" && mkdir -p "$tmp"
  go build -trimpath -ldflags=-s -o "$tmp/" tool
  for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    mv -f "$tmp/$b" "$BIN/$b"
  done
  rm -rf "$tmp"
}

build_kwok() {
  local tmp=$OUT/kwok.new
  rm -rf "$tmp" && mkdir -p "$tmp"
  GOBIN=$tmp go install -trimpath -ldflags=-s "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  mv -f "$tmp/kwok" "$BIN/kwok"
  rm -rf "$tmp"
}

copy_kwok_stages() {
  local dir
  dir=$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [[ -d $dir/kustomize/stage/fast ]] || { echo "no stages in $dir"; return 1; }
  # The whole stage tree: fast/ is a kustomization of files in its sibling folders.
  rm -rf "$OUT/kwok" && mkdir -p "$OUT/kwok"
  cp -r "$dir/kustomize/stage" "$OUT/kwok/stage"
  chmod -R u+w "$OUT/kwok"
}

build_argocd() {
  cd "$HERE/modules/argocd"
  export GOTOOLCHAIN=$ARGOCD_GOTOOLCHAIN
  local tmp=$OUT/argocd.new
  rm -rf "$tmp" && mkdir -p "$tmp"
  go build -trimpath -ldflags=-s -o "$tmp/" tool
  mv -f "$tmp/cmd" "$BIN/argocd"
  rm -rf "$tmp"
  # One binary; each component runs by the name it is called under.
  local component
  for component in argocd-server argocd-repo-server argocd-application-controller; do
    ln -sf argocd "$BIN/$component"
  done
  # The repo-server runs git through this wrapper, and the CRDs come from the same module.
  local dir
  dir=$(go list -m -f '{{.Dir}}' github.com/argoproj/argo-cd/v3)
  install -m 0755 "$dir/hack/git-verify-wrapper.sh" "$BIN/git-verify-wrapper.sh"
  rm -f "$OUT"/argocd/*.yaml
  install -m 0644 "$dir"/manifests/crds/application-crd.yaml "$dir"/manifests/crds/appproject-crd.yaml "$OUT/argocd/"
}

command -v go >/dev/null 2>&1 || die "go is required"
build etcd "$(module_stamp etcd)" build_etcd
build kwok "$KWOK_VERSION recipe=$RECIPE" build_kwok
build kwok-stages "$KWOK_VERSION recipe=$RECIPE" copy_kwok_stages
build kubernetes "$(module_stamp kubernetes)" build_kubernetes
build argocd "$(module_stamp argocd) $ARGOCD_GOTOOLCHAIN" build_argocd
log "done: $BIN"
