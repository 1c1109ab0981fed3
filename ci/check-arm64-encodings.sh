#!/usr/bin/env bash
# ci/check-arm64-encodings.sh: prove that every WORD-encoded instruction of
# the arm64 kernels (the macros of neon_arm64.h) is the instruction its
# comment names. Runs on any host: Go's assembler expands each macro for
# arm64 with several register assignments, and the words are compared with
# LLVM's encodings and read back by Go's and LLVM's disassemblers.
#
# Unlike a plain `go test`, this requires llvm-mc (apt-get install llvm),
# the only disassembler here that knows BFCVTN.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
QUANT_REQUIRE_LLVM_MC=1 go test -count=1 -run '^TestNEONEncodings$' -v .
