#!/usr/bin/env bash
# ci/asmcmp.sh: prove that a change to the assembly left the machine code
# as it was. It builds the root package's test binary at revision OLD (by
# default HEAD) and in the working tree, for GOARCH (default amd64), and
# compares every assembly function of both (ci/asmcmp/main.go says how).
#
#   ci/asmcmp.sh [OLD] [GOARCH]
#
# Exit status 1 when a function differs: then the change needs an A/B
# (ci/ab.sh) like any other, or a reason.
set -euo pipefail

root=$(cd "$(dirname "$(realpath "$0")")/.." && pwd)
export PATH="$PATH:/usr/local/go/bin"
old=${1:-HEAD} arch=${2:-amd64}

tmp=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$tmp/old" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git -C "$root" worktree add --detach "$tmp/old" "$old" >/dev/null 2>&1
(cd "$tmp/old" && GOARCH=$arch go test -c -o "$tmp/old.test" .)
(cd "$root" && GOARCH=$arch go test -c -o "$tmp/new.test" .)

names=$(cd "$root" && { grep -ho '^TEXT ·[A-Za-z0-9_]*' ./*_"$arch".s; cd "$tmp/old" && grep -ho '^TEXT ·[A-Za-z0-9_]*' ./*_"$arch".s; } | sed 's/^TEXT ·//' | sort -u)
# shellcheck disable=SC2086 # one argument per name
(cd "$root" && go run ./ci/asmcmp "$tmp/old.test" "$tmp/new.test" $names)
