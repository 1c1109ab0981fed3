#!/usr/bin/env bash
# ci/test.sh: every check the project makes, in one command. It is the
# README's test command and what .ci/run calls on a fresh machine.
#
#   ci/test.sh            everything (exhaustive conversions included)
#   ci/test.sh --short    the same checks with -short (no 2^32 loops)
#
# Each step prints a header and its time; the script runs every step, then
# lists the failures and exits non-zero if there were any. Under CI=true a
# missing qemu is a failure; elsewhere the emulated steps print a skip.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin:$(go env GOPATH 2>/dev/null)/bin"

short=""
[[ "${1:-}" == "--short" ]] && short="-short"

passed=0
failed=()
step() {
	local name="$1"
	shift
	printf '\n=== %s\n' "$name"
	local start=$SECONDS
	if "$@"; then
		passed=$((passed + 1))
		printf -- '--- ok   %s (%ds)\n' "$name" $((SECONDS - start))
	else
		failed+=("$name")
		printf -- '--- FAIL %s (%ds)\n' "$name" $((SECONDS - start))
	fi
}

need_qemu() {
	if command -v "$1" >/dev/null; then
		return 0
	fi
	if [[ "${CI:-}" == "true" ]]; then
		echo "$1 not found (install qemu-user-static); required under CI" >&2
		return 1
	fi
	echo "skip: $1 not found (apt-get install -y qemu-user-static to run this step)"
	return 2
}

emulated() { # emulated QEMU_BINARY GOARCH [env...] -- go test args
	local qemu=$1 arch=$2
	shift 2
	need_qemu "$qemu"
	case $? in 1) return 1 ;; 2) return 0 ;; esac
	# QUANT_EMULATOR tells the tests what cannot be checked there (see
	# maskedLoadsFault). qemu warns once per process about CPU-model flags
	# its TCG lacks (pcid, x2apic, ...), none of which a kernel uses.
	env GOARCH="$arch" QUANT_EMULATOR="$qemu" "$@" 2>&1 | grep --line-buffered -v "TCG doesn't support requested feature"
}

# x86_cpu MODEL WANT [go test args]: the amd64 suite on an emulated x86-64
# CPU, asserting that dispatch chooses WANT there. Only the root package
# (every kernel set against the reference, TestInstructionSets) and
# dispatch depend on the CPU; the rest is pure Go, checked natively.
x86_cpu() {
	local model=$1 want=$2
	shift 2
	emulated qemu-x86_64-static amd64 QEMU_CPU="$model" QUANT_EXHAUSTIVE=sample QUANT_SWEEP=sparse QUANT_WANT_IMPL="$want" \
		go test "$@" -timeout 30m -exec qemu-x86_64-static . ./dispatch
}

gofmt_clean() {
	local out
	out=$(gofmt -l . | grep -v '^benchmarks/results/')
	[[ -z "$out" ]] || { echo "not gofmt-ed:"; echo "$out"; return 1; }
}

vet_all() {
	local arch
	for arch in amd64 arm64 386; do
		echo "go vet GOARCH=$arch"
		GOARCH=$arch go vet ./... || return 1
	done
	(cd benchmarks && go vet ./...) || return 1
	local tags
	tags=$(ci/openblas-tags.sh)
	if [[ -n $tags ]]; then
		echo "go vet benchmarks $tags"
		(cd benchmarks && go vet "$tags" ./...)
	fi
}

cross_build() {
	local target
	CGO_ENABLED=0 go build ./... || return 1
	for target in linux/386 linux/arm64 linux/riscv64 linux/s390x darwin/arm64 windows/amd64 js/wasm; do
		echo "build $target"
		GOOS=${target%/*} GOARCH=${target#*/} CGO_ENABLED=0 go build ./... || return 1
		GOOS=${target%/*} GOARCH=${target#*/} CGO_ENABLED=0 go test -c -o /dev/null . || return 1
	done
}

step "gofmt" gofmt_clean
step "go vet (amd64, arm64, 386)" vet_all
step "cross builds, CGO_ENABLED=0" cross_build
# The race detector is for the goroutines (parallel groups, MulAddAtB, GPTQ,
# dispatch.Use): the suite's long single-goroutine sweeps of the reference
# kernels and TestTunings' reruns of the conformance suite under each
# prefetch tuning, which the native step runs, only slow it down tenfold
# there.
step "race, -short" go test -race -short -skip 'TestReferencePasses|TestDetectsBrokenKernels|TestTunings' ./...
step "full suite, native ($(go env GOARCH))" go test $short -timeout 30m ./...
step "purego tag" env QUANT_WANT_IMPL=generic go test -short -tags purego ./...
step "noasm tag" env QUANT_WANT_IMPL=generic go test -short -tags noasm ./...
if [[ "$(go env GOARCH)" == "amd64" ]]; then
	step "GODEBUG=cpu.avx2=off" env GODEBUG=cpu.avx2=off QUANT_WANT_IMPL=generic go test -short ./...
fi
# Under emulation the 2^32 loops take too long: kerneltest checks a dense
# sample instead (QUANT_EXHAUSTIVE=sample); the 2^16 ones stay exhaustive.
# TestDetectsBrokenKernels checks the suite's own logic (pure Go, the same
# on every arch): the native step runs it, the emulated ones skip it.
# The cortex-a72 step proves the neon set runs on a CPU without BF16 and
# that dispatch picks it; the max step has checked the kernels themselves.
step "arm64 (qemu, -cpu max: FEAT_BF16)" emulated qemu-aarch64-static arm64 \
	QEMU_CPU=max QUANT_EXHAUSTIVE=sample QUANT_WANT_IMPL=neon-bf16 \
	go test $short -timeout 30m -skip TestDetectsBrokenKernels -exec qemu-aarch64-static ./...
step "arm64 (qemu, -cpu cortex-a72: no BF16)" emulated qemu-aarch64-static arm64 \
	QEMU_CPU=cortex-a72 QUANT_EXHAUSTIVE=sample QUANT_SWEEP=sparse QUANT_WANT_IMPL=neon \
	go test -short -exec qemu-aarch64-static . ./dispatch
# Each x86-64 tier on the CPU it targets: the AVX2 set on a CPU without
# AVX-512 (an EVEX encoding there is SIGILL), the pure-Go set where AVX2 or
# F16C is missing.
# The Haswell step runs every kernel of the AVX2 set through the suite with
# -short and thinned sweeps: what it proves is that they run on an AVX2 CPU
# without AVX-512 and agree with the reference there. The native step has
# checked the same machine code in full, the 2^32 conversions included.
step "x86-64 Haswell (qemu): AVX2, F16C, FMA, no AVX-512 -> avx2" x86_cpu Haswell avx2 -short
# Where AVX2 or F16C is missing, dispatch must choose the pure-Go set (which
# the native steps check): TestImplementation asserts it, the examples run
# the API on it.
step "x86-64 IvyBridge (qemu): AVX, F16C, no AVX2 -> generic" x86_cpu IvyBridge generic -short -run 'TestImplementation|TestFeatures|TestDescribe|Example'
step "x86-64 Haswell without F16C (qemu) -> generic" x86_cpu Haswell,-f16c generic -short -run 'TestImplementation|TestFeatures|TestDescribe|Example'
# On s390x GPTQ runs on the pure-Go FMA (a dozen float64 operations per
# multiply-add, emulated): its hashes prove the same bytes as everywhere
# else, and its other tests, arch-independent Go, run on amd64 and arm64.
s390x() {
	emulated qemu-s390x-static s390x QUANT_EXHAUSTIVE=sample QUANT_SWEEP=sparse QUANT_WANT_IMPL=generic \
		go test -short -skip TestDetectsBrokenKernels -exec qemu-s390x-static $(go list ./... | grep -v /gptq) || return 1
	emulated qemu-s390x-static s390x go test -short -run 'TestSameBytesEverywhere|TestIdentityHessianIsRTN' \
		-exec qemu-s390x-static ./gptq
}
step "s390x big-endian (qemu)" s390x
arm64_encodings() {
	if ! command -v llvm-mc >/dev/null; then
		[[ "${CI:-}" == "true" ]] && { echo "llvm-mc not found (apt-get install llvm); required under CI" >&2; return 1; }
		echo "skip: llvm-mc not found (apt-get install -y llvm to run this step)"
		return 0
	fi
	ci/check-arm64-encodings.sh
}
step "arm64 instruction encodings (llvm-mc)" arm64_encodings
# The benchmarks module's tests, with the OpenBLAS peer where OpenBLAS is
# installed (ci/openblas-tags.sh; .ci/run installs it): a missing OpenBLAS
# fails under CI=true, elsewhere its tests skip.
benchmarks_module() {
	local tags
	tags=$(ci/openblas-tags.sh)
	if [[ -z $tags ]]; then
		if [[ "${CI:-}" == "true" ]]; then
			echo "OpenBLAS not found (apt-get install libopenblas-dev); required under CI" >&2
			return 1
		fi
		echo "skip the OpenBLAS peer: not found (apt-get install -y libopenblas-dev to test it)"
	fi
	# -short: the peers' own 2^32 checks (TestExhaustiveNarrowing,
	# TestFloat16Oracle, a minute) run with a plain
	# `cd benchmarks && go test ./...`; the peers rarely change.
	(cd benchmarks && go test -short $tags -timeout 30m ./...)
}
step "benchmarks module: correctness of peers" benchmarks_module

echo
if ((${#failed[@]})); then
	printf 'failed step: %s\n' "${failed[@]}"
fi
echo "steps: $passed passed, ${#failed[@]} failed"
((${#failed[@]} == 0))
