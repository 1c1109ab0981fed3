#!/usr/bin/env bash
# ci/openblas-tags.sh: print the go flag that adds the OpenBLAS peer to the
# benchmarks module, -tags=quantbench_openblas, when cgo can build it here:
# the C compiler of cgo finds cblas.h and links -lopenblas (on Debian and
# Ubuntu, apt-get install libopenblas-dev). Print nothing otherwise, so that
#
#   go test $(ci/openblas-tags.sh) ./...
#
# builds either way (without the tag the peer is a stub that reports itself
# unavailable, and its tests skip).
set -uo pipefail
export PATH="$PATH:/usr/local/go/bin"
[[ $(go env CGO_ENABLED 2>/dev/null) == 1 ]] || exit 0
# go env CC may carry flags ("gcc -m64"): split it on purpose.
# shellcheck disable=SC2046
printf '#include <cblas.h>\nchar *openblas_get_corename(void);\nint main(void) { return openblas_get_corename() == 0; }\n' |
	$(go env CC) -x c - -o /dev/null -lopenblas >/dev/null 2>&1 && echo "-tags=quantbench_openblas"
exit 0
