#!/bin/bash
#-------------------------------------------------------------------------
#
# run.sh
#	  Build the libFuzzer harnesses for the plain-C parsers and run each for
#	  a short, bounded time from the committed seed corpus.
#
# Usage: test/fuzz/run.sh [harness ...]	(default: all of them)
#
#	FUZZ_SECONDS	seconds to fuzz each harness (default 20)
#	CLANG			the compiler (default /usr/bin/clang-14, Debian's)
#
# For each harness exactly one line "fuzz <name> ... ok" or
# "fuzz <name> ... FAILED" is printed (a parent script counts them); the
# full libFuzzer output is kept in test/fuzz/build/<name>.log and a crashing
# input in test/fuzz/build/<name>-crash-*.  The seed corpus under
# test/fuzz/corpus is only read: new inputs go to a temporary copy.
# Exits non-zero if any harness failed to build or run clean.
#
# test/fuzz/run.sh
#
#-------------------------------------------------------------------------

set -euo pipefail

# Work from the repository root, wherever we are called from
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$(pwd -P)

harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
	harnesses=(product_key license_term)
fi

seconds=${FUZZ_SECONDS:-20}
# libFuzzer reads 0 (and so anything not a number) as "no time limit"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
	echo "fuzz: FUZZ_SECONDS must be a positive whole number of seconds, not '$seconds'" >&2
	exit 1
fi
clang=${CLANG:-/usr/bin/clang-14}
build=$root/test/fuzz/build

# The toolchain: say plainly what is missing rather than fail in the build
if ! [ -x "$clang" ]; then
	echo "fuzz: $clang not found; install Debian package clang-14" >&2
	exit 1
fi
runtime_dir=$("$clang" -print-runtime-dir 2>/dev/null || true)
if ! [ -f "$runtime_dir/libclang_rt.fuzzer-$(uname -m).a" ]; then
	echo "fuzz: libFuzzer runtime libclang_rt.fuzzer-$(uname -m).a not found in '$runtime_dir';" \
		"install Debian package libclang-rt-14-dev" >&2
	exit 1
fi

mkdir -p "$build"
work=$(mktemp -d "${TMPDIR:-/tmp}/mpn_fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Abort, with a stack, at the first report of either sanitizer
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0

# Print the result line for harness $1 ($2 = ok or FAILED)
report()
{
	echo "fuzz $1 ... $2"
	if [ "$2" != ok ]; then
		failed=$((failed + 1))
	fi
}

# Print the tail of a log, indented so that it cannot pass for a result line
show_tail()
{
	tail -n "${2:-40}" "$1" 2>&1 | sed 's/^/    | /' || true
}

# One line of statistics for harness $1 from libFuzzer's final lines in
# log $2; informative only, so nothing here may stop the script
show_stats()
{
	local runs status cov ft corp

	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$2" 2>/dev/null | tail -n 1 || true)
	status=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$2" 2>/dev/null | tail -n 1 || true)
	cov=$(echo "$status" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$status" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$status" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
	echo "    $1: ${runs:-?} runs in ${seconds}s, cov ${cov:-?}, ft ${ft:-?}," \
		"corpus ${corp:-?}; log $2"
}

for name in "${harnesses[@]}"; do
	src=test/fuzz/fuzz_$name.c
	seeds=test/fuzz/corpus/$name
	bin=$build/fuzz_$name
	log=$build/$name.log

	mkdir -p "$build"			# again: "make clean" may remove it meanwhile
	if ! [ -f "$src" ] || ! [ -d "$seeds" ]; then
		report "$name" FAILED
		echo "    | no harness $src or seed corpus $seeds"
		continue
	fi

	# Build; -Werror keeps the harnesses and the parsers warning-free
	rm -f "$build/$name"-crash-* "$build/$name"-leak-* "$build/$name"-timeout-* \
		"$build/$name"-oom-* "$build/$name"-slow-unit-*
	if ! "$clang" -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -Wall -Wextra -Werror -I src \
		-o "$bin" "$src" src/text_forms.c src/calendar.c >"$log" 2>&1; then
		report "$name" FAILED
		echo "    | build failed:"
		show_tail "$log"
		continue
	fi

	# A working copy of the seeds takes the inputs libFuzzer adds
	rm -rf "${work:?}/$name"
	if ! mkdir "$work/$name" || ! cp -R "$seeds/." "$work/$name/"; then
		report "$name" FAILED
		echo "    | cannot copy the seed corpus $seeds"
		continue
	fi
	dict=()
	if [ -f "test/fuzz/$name.dict" ]; then
		dict=("-dict=test/fuzz/$name.dict")
	fi

	if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$build/$name-" ${dict[@]+"${dict[@]}"} \
		"$work/$name" "$seeds" >>"$log" 2>&1; then
		report "$name" ok
		show_stats "$name" "$log"
	else
		report "$name" FAILED
		show_tail "$log"
		for artifact in "$build/$name"-*; do
			if [ -f "$artifact" ]; then
				echo "    | input saved in $artifact; rerun with $bin $artifact"
			fi
		done
	fi
done

if [ "$failed" -ne 0 ]; then
	echo "fuzz: $failed of ${#harnesses[@]} harnesses failed"
	exit 1
fi
exit 0
