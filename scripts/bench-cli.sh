#!/usr/bin/env bash
# Whole-process benchmarks of the CLI on synthetic catalogs, as a user runs it.
#
#   scripts/bench-cli.sh [-n RUNS] [-c COMMANDS] SIZE [SIZE ...]
#   scripts/bench-cli.sh -n 3 10000 100000 1000000
#
# For each SIZE it writes two catalogs with internal/synth/cmd/gen (seeds 1
# and 2; YAML, and JSON of seed 1), then runs each CLI command RUNS times
# under /usr/bin/time -v and prints one Markdown table row per command: the
# median wall time with the fastest and slowest run, the median peak resident
# memory, and the size of what it printed. Every command runs with
# --no-cache (the cost of a first run on a file), except the rows marked
# "warm", which read the compiled-model cache that a run before filled (in a
# cache directory of their own). -c limits the commands (a
# comma-separated list of the names in the first column). `diff` compares
# the two seeds (unrelated catalogs), `diff-edit` the seed-1 catalog with
# a copy of it that has three nodes changed (a pull request). Files go to
# $BENCH_DIR (default: a new temporary directory, removed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3
only=""
while getopts "n:c:" opt; do
  case $opt in
    n) runs=$OPTARG ;;
    c) only=",$OPTARG," ;;
    *) echo "usage: $0 [-n RUNS] [-c COMMANDS] SIZE [SIZE ...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: $0 [-n RUNS] [-c COMMANDS] SIZE [SIZE ...]" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "$0: needs GNU time (apt-get install time)" >&2; exit 2; }

dir=${BENCH_DIR:-}
if [ -z "$dir" ]; then
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
fi
mkdir -p "$dir"
go build -o "$dir/blastradius" ./cmd/blastradius
go build -o "$dir/gen" ./internal/synth/cmd/gen
br="$dir/blastradius"

# median of numbers on stdin
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# measure NAME ARGS...: RUNS runs of the CLI, one table row.
measure() {
  local name=$1 size=$2 format=$3; shift 3
  if [ -n "$only" ] && [[ $only != *",$name,"* ]]; then return; fi
  local walls=() rss=() status=0 out=0
  for _ in $(seq "$runs"); do
    local log="$dir/time.log"
    status=0
    /usr/bin/time -v -o "$log" "$br" "$@" >"$dir/out" 2>"$dir/err" || status=$?
    out=$(wc -c <"$dir/out")
    walls+=("$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for (i=1;i<=n;i++) s=s*60+p[i]; print s}' "$log")")
    rss+=("$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")")
  done
  local wmed wmin wmax rmed
  wmed=$(printf '%s\n' "${walls[@]}" | median)
  wmin=$(printf '%s\n' "${walls[@]}" | sort -n | head -1)
  wmax=$(printf '%s\n' "${walls[@]}" | sort -n | tail -1)
  rmed=$(printf '%s\n' "${rss[@]}" | median)
  printf '| %s | %s | `%s` | %.2f s (%.2f–%.2f) | %.0f MB | %s | %s |\n' \
    "$size" "$format" "$name" "$wmed" "$wmin" "$wmax" "$(echo "$rmed / 1024" | bc -l)" \
    "$(numfmt --to=iec "$out")" "$status"
}

echo "| nodes | file | command | wall, median (min–max) of $runs | peak RSS, median | output | exit |"
echo "|---|---|---|---|---|---|---|"
for n in "$@"; do
  y1="$dir/m$n-1.yaml" y2="$dir/m$n-2.yaml" j1="$dir/m$n-1.json"
  [ -f "$y1" ] || "$dir/gen" -nodes "$n" -seed 1 -o "$y1"
  [ -f "$y2" ] || "$dir/gen" -nodes "$n" -seed 2 -o "$y2"
  [ -f "$j1" ] || "$dir/gen" -nodes "$n" -seed 1 -o "$j1"
  limits=()
  if [ "$(stat -c %s "$y1")" -gt $((64 << 20)) ] || [ "$n" -gt 5000000 ]; then
    limits=(--max-file-size 8GiB --max-nodes 100000000)
  fi
  # The last service written: the newest of the catalog's preferential
  # attachment, which few or no nodes depend on (one service's own outage).
  svc=$(grep -o '^  svc-[0-9]*' "$y1" | tail -1 | tr -d ' ')
  for f in "$y1" "$j1"; do
    fmt=${f##*.}
    measure validate "$n" "$fmt" validate --no-cache "${limits[@]}" "$f"
    measure rank "$n" "$fmt" rank --no-cache "${limits[@]}" "$f"
  done
  export BLASTRADIUS_CACHE="$dir/cache"
  "$br" validate "${limits[@]}" "$y1" >/dev/null
  measure validate-warm "$n" yaml validate "${limits[@]}" "$y1"
  measure rank-warm "$n" yaml rank "${limits[@]}" "$y1"
  unset BLASTRADIUS_CACHE
  limits+=(--no-cache)
  measure simulate-service "$n" yaml simulate "${limits[@]}" "$y1" --fail "$svc"
  measure simulate-site "$n" yaml simulate "${limits[@]}" "$y1" --fail site:site-0
  measure spof "$n" yaml spof "${limits[@]}" "$y1" --target "$svc"
  measure redundancy "$n" yaml redundancy "${limits[@]}" "$y1"
  measure recover "$n" yaml recover "${limits[@]}" "$y1" --fail site:site-0 --for 11h
  measure check "$n" yaml check "${limits[@]}" "$y1" --policy testdata/policy.yaml
  measure diff "$n" yaml diff "${limits[@]}" "$y1" "$y2"
  # A pull request's diff: the seed-1 catalog against a copy with three
  # nodes changed: the last service's users, the one before's tier, and a
  # service added that requires the last.
  e1="$dir/m$n-1-edit.yaml"
  if [ ! -f "$e1" ]; then
    prev=$(grep -o '^  svc-[0-9]*' "$y1" | tail -2 | head -1 | tr -d ' ')
    awk -v a="$svc" -v b="$prev" '
      $0 == "  " a ":" {inA = 1} $0 == "  " b ":" {inB = 1}
      /^  [^ ]/ && $0 != "  " a ":" {inA = 0} /^  [^ ]/ && $0 != "  " b ":" {inB = 0}
      inA && /^    users: / {$0 = "    users: " ($2 + 1)}
      inB && /^    tier: / {$0 = "    tier: 0"}
      {print}
      END {print "  svc-pr-new:\n    kind: service\n    users: 10\n    tier: 1\n    site: site-0\n    requires: [" a "]"}
    ' "$y1" >"$e1"
  fi
  measure diff-edit "$n" yaml diff "${limits[@]}" "$y1" "$e1"
done
