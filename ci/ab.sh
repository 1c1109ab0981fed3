#!/usr/bin/env bash
# ci/ab.sh: measure one revision against another, the project's A/B
# protocol in one command. Both revisions' benchmark binaries are built,
# then run in interleaved passes (old, new, new, old, ...), so that a slow
# minute on a shared machine falls on both; benchstat compares them.
#
#   ci/ab.sh OLD                   OLD (a git revision) against the working tree
#   ci/ab.sh OLD NEW               two revisions
#   ci/ab.sh --tune A B            one build (the working tree) under two
#                                  tunings, QUANT_TUNE=A against QUANT_TUNE=B
#                                  (rows of the tuning table: none, prefetch)
#   ci/ab.sh --count N             passes (default 6)
#   ci/ab.sh --benchtime D         time per run (default 100ms)
#   ci/ab.sh --sizes 4096,65536    element counts (default 256,4096,65536,1048576)
#   ci/ab.sh --bench REGEX         benchmarks, as go test -bench (default .)
#   ci/ab.sh --impl REGEX          implementations (default quant: the public API)
#
# The raw results go to a temporary folder whose name is printed; the
# benchmark suite of NEW (or of the working tree) measures both, so a
# benchmark added since OLD still compares. Results are medians over the
# passes; quote them with the CPU (the quant-cpu line), never as one time.
set -euo pipefail

root=$(cd "$(dirname "$(realpath "$0")")/.." && pwd)
export PATH="$PATH:/usr/local/go/bin"

count=6 benchtime=100ms sizes=256,4096,65536,1048576 bench=. impl=quant
revs=() tune=false
while (($#)); do
	case $1 in
	--count) count=${2:?}; shift ;;
	--benchtime) benchtime=${2:?}; shift ;;
	--sizes) sizes=${2:?}; shift ;;
	--bench) bench=${2:?}; shift ;;
	--impl) impl=${2:?}; shift ;;
	--tune) tune=true ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "ci/ab.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) revs+=("$1") ;;
	esac
	shift
done
if $tune; then
	((${#revs[@]} == 2)) || { echo "usage: ci/ab.sh [options] --tune A B" >&2; exit 2; }
else
	((${#revs[@]} == 1 || ${#revs[@]} == 2)) || { echo "usage: ci/ab.sh [options] OLD [NEW]" >&2; exit 2; }
fi
[[ $count =~ ^[1-9][0-9]*$ ]] || { echo "ci/ab.sh: --count must be a positive integer" >&2; exit 2; }

tmp=$(mktemp -d /tmp/quant-ab.XXXXXX)
cleanup() {
	for w in "$tmp"/tree-*; do
		[[ -d $w ]] && git -C "$root" worktree remove --force "$w" >/dev/null 2>&1
	done
	return 0
}
trap cleanup EXIT

# checkout REV DIR: the tree of REV at DIR (a detached worktree).
checkout() { git -C "$root" worktree add --detach --quiet "$2" "$1"; }

export QUANT_BENCH_SIZES=$sizes
pattern="($bench)/size=/impl=($impl)\$"
run() { # run BINARY OUT [ENV...]
	env "${@:3}" "$1" -test.run '^$' -test.bench "$pattern" -test.benchtime "$benchtime" -test.count 1 >>"$2"
}

if $tune; then
	a=${revs[0]} b=${revs[1]}
	echo "== building the working tree's suite, to run under QUANT_TUNE=$a and QUANT_TUNE=$b" >&2
	(cd "$root/benchmarks" && go test -c -o "$tmp/bench.test" .)
	for ((p = 1; p <= count; p++)); do
		echo "== pass $p of $count" >&2
		if ((p % 2)); then
			run "$tmp/bench.test" "$tmp/old.txt" QUANT_TUNE="$a"
			run "$tmp/bench.test" "$tmp/new.txt" QUANT_TUNE="$b"
		else
			run "$tmp/bench.test" "$tmp/new.txt" QUANT_TUNE="$b"
			run "$tmp/bench.test" "$tmp/old.txt" QUANT_TUNE="$a"
		fi
	done
	grep -h '^quant-tune' "$tmp/old.txt" "$tmp/new.txt" | sort -u >&2
	echo "== raw results in $tmp (old.txt: $a, new.txt: $b)" >&2
	cd "$root/benchmarks"
	go tool benchstat -ignore quant-tune -filter '.unit:B/s' "$a=$tmp/old.txt" "$b=$tmp/new.txt"
	exit
fi

old=${revs[0]}
checkout "$old" "$tmp/tree-old"
if ((${#revs[@]} == 2)); then
	new=${revs[1]}
	checkout "$new" "$tmp/tree-new"
	newroot=$tmp/tree-new
else
	new="working tree"
	newroot=$root
fi

# The suite of NEW measures both: OLD's library under NEW's benchmarks,
# or under its own if NEW's needs an API that OLD lacks.
echo "== building $old and $new" >&2
mv "$tmp/tree-old/benchmarks" "$tmp/old-benchmarks"
cp -r "$newroot/benchmarks" "$tmp/tree-old/benchmarks"
if ! (cd "$tmp/tree-old/benchmarks" && go test -c -o "$tmp/old.test" . 2>"$tmp/old-build.txt"); then
	echo "== $old does not build under the new suite (see $tmp/old-build.txt): its own suite measures it" >&2
	rm -rf "$tmp/tree-old/benchmarks"
	mv "$tmp/old-benchmarks" "$tmp/tree-old/benchmarks"
	(cd "$tmp/tree-old/benchmarks" && go test -c -o "$tmp/old.test" .)
fi
(cd "$newroot/benchmarks" && go test -c -o "$tmp/new.test" .)

for ((p = 1; p <= count; p++)); do
	echo "== pass $p of $count" >&2
	if ((p % 2)); then
		run "$tmp/old.test" "$tmp/old.txt"
		run "$tmp/new.test" "$tmp/new.txt"
	else
		run "$tmp/new.test" "$tmp/new.txt"
		run "$tmp/old.test" "$tmp/old.txt"
	fi
done

echo "== raw results in $tmp (old.txt, new.txt)" >&2
cd "$root/benchmarks"
go tool benchstat -ignore quant-tune -filter '.unit:B/s' "old=$tmp/old.txt" "new=$tmp/new.txt"
