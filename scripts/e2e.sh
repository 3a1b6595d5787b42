#!/usr/bin/env bash
# `npm run e2e`: the live test bed's tests (test/e2e/*.e2e.ts), in a network namespace of their own
# that has nothing but loopback, so that no server of the bed can be reached from outside the
# machine, not even the one listener Argo CD binds to 0.0.0.0 (the application controller's
# metrics). As root: `unshare --net`; as a normal user: a user namespace too, where the kernel
# allows it. Needs scripts/testbed/build.sh and scripts/install-tools.sh to have run.
#   scripts/e2e.sh [mocha options...] [test/e2e/<file>.e2e.ts...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ${GITOPS_PLATFORM_E2E_NETNS:-} != inside ]]; then
  # The tests run the bin (dist/): build it from the sources first, never test a stale one.
  npm run --silent build
  export GITOPS_PLATFORM_E2E_NETNS=inside
  # A PID namespace too: when this script ends, however it ends, the kernel stops every process
  # the bed left (the tests stop them by PID; this is the net under an interrupted run).
  if [[ $(id -u) == 0 ]]; then
    exec unshare --net --pid --fork --kill-child -- bash "$PWD/scripts/e2e.sh" "$@"
  elif unshare --net --pid --fork --map-root-user true 2>/dev/null; then
    exec unshare --net --pid --fork --kill-child --map-root-user -- bash "$PWD/scripts/e2e.sh" "$@"
  fi
  echo "e2e: WARNING: cannot make a network namespace here; the bed's servers stay on 127.0.0.1," >&2
  echo "e2e: except the Argo CD application controller's metrics port (0.0.0.0)" >&2
else
  ip link set lo up
fi

# Both answer sets at once (one mocha worker each): the beds idle while Argo CD polls.
# Mocha options alone (e.g. --forbid-pending) keep the default files; naming files picks those.
spec=(test/e2e/*.e2e.ts)
for arg in "$@"; do
  if [[ $arg == *.ts ]]; then spec=(); fi
done
set -- "$@" "${spec[@]}"
# Not exec: this shell stays PID 1 of the namespace, so its end takes every leftover with it.
npx mocha --config test/e2e/.mocharc.json "$@"
