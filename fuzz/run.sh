#!/usr/bin/env bash
# CI entry point for the fuzz targets of simd-activations (see fuzz_targets/*.rs for what each
# one checks). Assumes `cargo +nightly` and cargo-fuzz are installed.
#
#   fuzz/run.sh                    # every target, 60 s each
#   FUZZ_SECONDS=300 fuzz/run.sh   # longer runs
#   fuzz/run.sh gated              # only the named targets
#
# For each target: replays every file under regressions/<target>/ once, then fuzzes for
# FUZZ_SECONDS seconds starting from seeds/<target>/ (new inputs go to corpus/<target>/, a
# crashing input to artifacts/<target>/). Every target runs even when an earlier one fails;
# the exit status is 1 if any replay or run failed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

seconds="${FUZZ_SECONDS:-60}"
if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    targets=(unary gated contract)
fi

# libFuzzer prints a status line per new input ("#1234 NEW cov: …") and one per newly covered
# function ("NEW_FUNC[1/2]: …"); keep everything else (start-up info, crash reports, stats).
quiet() {
    grep -v -E '^(#[0-9]+[[:space:]]|[[:space:]]*NEW_FUNC)' || true
}

# cargo-fuzz builds with one codegen unit by default: the library alone then kept one core busy
# for most of 13 minutes on the 2-core Xeon; 16 units took 9.9 minutes (both measured beside
# another build). Each `run` must pass the same flags, or it rebuilds.
build=(--codegen-units 16)

echo "== building fuzz targets"
cargo +nightly fuzz build "${build[@]}"

failed=()
for target in "${targets[@]}"; do
    if [ -d "regressions/$target" ]; then
        mapfile -t cases < <(find "regressions/$target" -type f | sort)
        if [ "${#cases[@]}" -gt 0 ]; then
            echo "== $target: replaying ${#cases[@]} regression input(s)"
            if ! cargo +nightly fuzz run "${build[@]}" "$target" "${cases[@]}" -- -runs=1 2>&1 | quiet; then
                failed+=("$target regressions")
            fi
        fi
    fi

    echo "== $target: fuzzing for ${seconds} s"
    mkdir -p "corpus/$target"
    if ! cargo +nightly fuzz run "${build[@]}" "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -timeout=30 -print_final_stats=1 2>&1 | quiet; then
        failed+=("$target fuzzing")
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    printf '== FAILED: %s\n' "${failed[@]}"
    exit 1
fi
echo "== all fuzz targets passed"
