#!/usr/bin/env bash
# ci/bench.sh: run the benchmark suite (benchmarks/, a module of its own),
# save the raw results, print benchstat tables, the summary tables and draw
# the charts.
#
#   ci/bench.sh                    every size, 10 passes (about 80 minutes)
#   ci/bench.sh --quick            sizes 256..65536, 6 passes, short runs (about 5 minutes)
#   ci/bench.sh --count N          N runs of each sub-benchmark (N passes over the suite)
#   ci/bench.sh --benchtime D      time per run (default 300ms, --quick 60ms)
#   ci/bench.sh --sizes 4096,1048576   element counts to measure (each benchmark takes
#                                  those that apply: whole Q8_0 blocks, whole rows of
#                                  4096 for PerRow, from 65536 for the *Parallel ones)
#   ci/bench.sh --bench REGEX      benchmarks to run, as go test -bench
#   ci/bench.sh --no-plot          skip the charts
#   ci/bench.sh --compare OLD NEW  compare two saved runs with benchstat
#
# BenchmarkMulAddAtB and BenchmarkGPTQ (GPTQ and its update multiply, against
# OpenBLAS where libopenblas-dev is installed) take the sizes that are squares
# of a multiple of 128: 65536 (256x256), 1048576 (1024x1024), 16777216
# (4096x4096, seconds per GPTQ: one iteration per run). On their own:
#
#   ci/bench.sh --bench 'MulAddAtB|GPTQ' --sizes 1048576,16777216 --count 6 --no-plot
#
# OpenBLAS picks its kernels for the CPU it detects (the header's
# quant-openblas line names the core); OPENBLAS_CORETYPE=SkylakeX or Haswell
# in the environment overrides that.
#
# Results go to benchmarks/results/<UTC time>-<commit>[-quick].txt: the raw
# go test -bench output, whose header lines (quant-cpu, quant-build, ...)
# name the CPU as dispatch.Describe() does, the Go version and the
# implementations. Next to it: <same>.summary.txt (what is printed at the
# end) and <same>.png (the charts). Benchmarks want a quiet machine:
# anything else running shows up as noise.
set -euo pipefail

caller=$PWD
script=$(realpath "$0")
root=$(cd "$(dirname "$script")/.." && pwd)
export PATH="$PATH:/usr/local/go/bin"
cd "$root/benchmarks"

usage() {
	sed -n '2,/^set -euo/p' "$script" | sed -e '$d' -e 's/^# \{0,1\}//'
	exit "${1:-0}"
}

count=10
benchtime=300ms
bench=.
sizes=${QUANT_BENCH_SIZES:-}
quick=false
plot=true
count_set=false
benchtime_set=false
while (($#)); do
	case $1 in
	--quick) quick=true ;;
	--count) count=${2:?--count needs a number}; count_set=true; shift ;;
	--benchtime) benchtime=${2:?--benchtime needs a duration}; benchtime_set=true; shift ;;
	--sizes) sizes=${2:?--sizes needs a list}; shift ;;
	--bench) bench=${2:?--bench needs a pattern}; shift ;;
	--no-plot) plot=false ;;
	--compare)
		(($# == 3)) || { echo "usage: ci/bench.sh --compare OLD NEW" >&2; exit 2; }
		old=$(cd "$caller" && realpath -e "$2")
		new=$(cd "$caller" && realpath -e "$3")
		# Rows are kernel/size/impl, columns the two files (labelled with
		# their names); throughput only.
		go tool benchstat -filter '.unit:B/s' "$(basename "$old" .txt)=$old" "$(basename "$new" .txt)=$new"
		exit
		;;
	-h | --help) usage ;;
	*) echo "ci/bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
if $quick; then
	$count_set || count=6
	$benchtime_set || benchtime=60ms
	[[ -n $sizes ]] || sizes=256,4096,65536
fi
[[ $count =~ ^[1-9][0-9]*$ ]] || { echo "ci/bench.sh: --count must be a positive integer" >&2; exit 2; }
export QUANT_BENCH_SIZES=$sizes

start=$SECONDS
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== building the suite and its tools" >&2
# With the OpenBLAS peer of BenchmarkMulAddAtB and BenchmarkGPTQ where
# OpenBLAS is installed (libopenblas-dev).
tags=$("$root/ci/openblas-tags.sh")
[[ -n $tags ]] || echo "ci/bench.sh: OpenBLAS not found (apt-get install libopenblas-dev): no openblas peer" >&2
go test $tags -c -o "$tmp/bench.test" .
go build -o "$tmp/summary" ./cmd/summary
$plot && go build -o "$tmp/plot" ./cmd/plot
go tool benchstat -h >/dev/null 2>&1 || true # build it now, not after the run

total_cases=$("$tmp/bench.test" -test.bench "$bench" -quant.plan | wc -l)
((total_cases > 0)) || { echo "ci/bench.sh: --bench $bench selects no benchmark" >&2; exit 2; }
total=$((total_cases * count))

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -z $(git -C "$root" status --porcelain 2>/dev/null) ]] || commit+="-dirty"
mkdir -p results
name=results/$(date -u +%Y%m%dT%H%M%SZ)-$commit
$quick && name+=-quick
raw=$name.txt

echo "== $total_cases sub-benchmarks x $count runs of $benchtime, sizes ${sizes:-all}: $raw" >&2

# progress reads go test output on stdin and reports on stderr: on a
# terminal one line rewritten after each result, elsewhere a line each
# time the kernel or size changes.
progress() {
	local done=0 line name group="" last="" t eta tty=false
	[[ -t 2 ]] && tty=true
	local t0=$SECONDS
	while IFS= read -r line; do
		case $line in
		Benchmark*/*ns/op*)
			done=$((done + 1))
			name=${line%%[[:space:]]*}
			name=${name#Benchmark}
			name=${name%-[0-9]*}
			group=${name%/impl=*}
			t=$((SECONDS - t0))
			eta=$((t * (total - done) / done))
			if $tty; then
				printf '\r\033[K[%d/%d %3d%%] %s  %dm%02ds left' "$done" "$total" \
					$((100 * done / total)) "$name" $((eta / 60)) $((eta % 60)) >&2
			elif [[ $group != "$last" ]]; then
				printf '[%d/%d %3d%%] %s  %dm%02ds elapsed, %dm%02ds left\n' "$done" "$total" \
					$((100 * done / total)) "${group/\// }" $((t / 60)) $((t % 60)) $((eta / 60)) $((eta % 60)) >&2
				last=$group
			fi
			;;
		*FAIL* | panic:* | *"error"*)
			$tty && printf '\r\033[K' >&2
			printf '%s\n' "$line" >&2
			;;
		esac
	done
	$tty && printf '\r\033[K' >&2
	printf '[%d/%d] done in %dm%02ds\n' "$done" "$total" $(((SECONDS - t0) / 60)) $(((SECONDS - t0) % 60)) >&2
}

# The suite runs $count times over with -test.count 1, not once with
# -test.count $count: go test repeats a sub-benchmark back to back, so each
# implementation would be measured in its own stretch of time, and a slow
# minute on a shared machine would fall on one of them only. Passes put
# every implementation of a kernel and size within seconds of the others,
# $count times.
passes() {
	echo "quant-commit: $commit"
	echo "quant-run: ci/bench.sh count=$count benchtime=$benchtime sizes=${sizes:-all} bench=$bench (passes of -test.count 1)"
	local pass
	for ((pass = 1; pass <= count; pass++)); do
		"$tmp/bench.test" -test.run '^$' -test.bench "$bench" -test.count 1 \
			-test.benchtime "$benchtime" -test.timeout 0 2>&1 || return
	done
}
passes | tee "$raw.partial" | progress
status=${PIPESTATUS[0]}
mv "$raw.partial" "$raw"
if ((status != 0)); then
	echo "ci/bench.sh: the benchmarks failed (exit $status); output in $raw" >&2
	exit "$status"
fi

{
	echo "== benchstat -col /impl (throughput, B/s of input; vs base = vs quant)"
	go tool benchstat -col /impl -filter '.unit:B/s' "$raw"
	echo
	echo "== summary"
	"$tmp/summary" "$raw"
} | tee "$name.summary.txt"
if $plot; then
	"$tmp/plot" -o "$name.png" "$raw" >/dev/null
	echo "charts: $name.png"
fi
echo "raw results: $raw ($((SECONDS - start))s in all)"
