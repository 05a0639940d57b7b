#!/usr/bin/env bash
# Whole-process benchmarks of the CLI on synthetic catalogs, as a user runs it.
#
#   scripts/bench-cli.sh [-n RUNS] [-c COMMANDS] [-a OLD_BINARY] SIZE [SIZE ...]
#   scripts/bench-cli.sh -n 3 10000 100000 1000000
#   scripts/bench-cli.sh -n 5 -a /tmp/blastradius-main 100000
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
#
# -a OLD_BINARY compares this tree's CLI with another build (say, of main)
# on a noisy machine: each run of a command runs both, in turns (new then
# old, then old then new), and the table gains the old build's median and
# the median of the runs' ratios new/old, which a drifting machine moves
# much less than either time, and whether the two printed the same bytes.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3
only=""
old=""
while getopts "n:c:a:" opt; do
  case $opt in
    n) runs=$OPTARG ;;
    c) only=",$OPTARG," ;;
    a) old=$OPTARG ;;
    *) echo "usage: $0 [-n RUNS] [-c COMMANDS] [-a OLD_BINARY] SIZE [SIZE ...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: $0 [-n RUNS] [-c COMMANDS] [-a OLD_BINARY] SIZE [SIZE ...]" >&2; exit 2; }
[ -z "$old" ] || [ -x "$old" ] || { echo "$0: -a $old: not an executable" >&2; exit 2; }
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

# once BIN SUFFIX ARGS...: one run of BIN under /usr/bin/time, its output
# in $dir/out$SUFFIX and its exit status in $dir/status$SUFFIX; prints the
# wall time in seconds and the peak RSS in KB.
once() {
  local bin=$1 sfx=$2 status=0; shift 2
  /usr/bin/time -v -o "$dir/time$sfx.log" "$bin" "$@" >"$dir/out$sfx" 2>"$dir/err$sfx" || status=$?
  echo "$status" >"$dir/status$sfx"
  awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for (i=1;i<=n;i++) s=s*60+p[i]; w=s}
    /Maximum resident set size/ {r=$2} END {print w, r}' "$dir/time$sfx.log"
}

# measure NAME ARGS...: RUNS runs of the CLI, one table row.
measure() {
  local name=$1 size=$2 format=$3; shift 3
  if [ -n "$only" ] && [[ $only != *",$name,"* ]]; then return; fi
  local walls=() rss=() owalls=() ratios=() w r ow orr
  for i in $(seq "$runs"); do
    if [ -n "$old" ] && [ $((i % 2)) -eq 0 ]; then
      read -r ow orr < <(once "$old" .old "$@")
    fi
    read -r w r < <(once "$br" "" "$@")
    if [ -n "$old" ] && [ $((i % 2)) -eq 1 ]; then
      read -r ow orr < <(once "$old" .old "$@")
    fi
    walls+=("$w")
    rss+=("$r")
    if [ -n "$old" ]; then
      owalls+=("$ow")
      ratios+=("$(echo "$w / $ow" | bc -l)")
    fi
  done
  local wmed wmin wmax rmed
  wmed=$(printf '%s\n' "${walls[@]}" | median)
  wmin=$(printf '%s\n' "${walls[@]}" | sort -n | head -1)
  wmax=$(printf '%s\n' "${walls[@]}" | sort -n | tail -1)
  rmed=$(printf '%s\n' "${rss[@]}" | median)
  local extra=""
  if [ -n "$old" ]; then
    local same=same
    cmp -s "$dir/out" "$dir/out.old" || same=differs
    extra=$(printf ' %.2f s | %.2fx (%.2f–%.2f) | %s |' \
      "$(printf '%s\n' "${owalls[@]}" | median)" \
      "$(printf '%s\n' "${ratios[@]}" | median)" \
      "$(printf '%s\n' "${ratios[@]}" | sort -n | head -1)" \
      "$(printf '%s\n' "${ratios[@]}" | sort -n | tail -1)" "$same")
  fi
  printf '| %s | %s | `%s` | %.2f s (%.2f–%.2f) | %.0f MB | %s | %s |%s\n' \
    "$size" "$format" "$name" "$wmed" "$wmin" "$wmax" "$(echo "$rmed / 1024" | bc -l)" \
    "$(numfmt --to=iec "$(wc -c <"$dir/out")")" "$(cat "$dir/status")" "$extra"
}

if [ -n "$old" ]; then
  echo "| nodes | file | command | wall, median (min–max) of $runs | peak RSS, median | output | exit | old build, median | new/old, median (min–max) | output of the last run |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
else
  echo "| nodes | file | command | wall, median (min–max) of $runs | peak RSS, median | output | exit |"
  echo "|---|---|---|---|---|---|---|"
fi
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
  # Each build fills its own entry (the key holds the build's format).
  [ -z "$old" ] || "$old" validate "${limits[@]}" "$y1" >/dev/null
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
