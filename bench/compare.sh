#!/usr/bin/env bash
# Runs redis-benchmark against Millrace and a real redis-server on this machine in the same run,
# alternating between them per test, and prints requests/s of each and the ratio Millrace/Redis.
#
#   bench/compare.sh                         the issue's default set
#   TESTS=set,get CLIENTS=50 REQUESTS=200000 PIPELINES="1 32" ROUNDS=3 WARMUP=1 bench/compare.sh
#
# WARMUP=1 (default) first runs every test once against both servers, unmeasured: the JVM's JIT
# needs a few seconds of load before Millrace runs at its steady speed; Redis has no warm-up.
#
# Installs redis-server/redis-benchmark from Debian when missing. The figure kept per test is the
# median of ROUNDS alternating runs; a ratio is only meaningful beside its reference, so both go out.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
TESTS=${TESTS:-ping,set,get,incr,mset}
CLIENTS=${CLIENTS:-50}
REQUESTS=${REQUESTS:-200000}
PIPELINES=${PIPELINES:-"1 32"}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-1}
REDIS_PORT=${REDIS_PORT:-7479}
MILLRACE_PORT=${MILLRACE_PORT:-7480}
APPENDFSYNC=${APPENDFSYNC:-everysec}

source "$root/bench/lib.sh"
require_redis_tools
# Redis with the same durability as Millrace: AOF on, same fsync policy, no RDB snapshots.
start_redis "$work" --appendonly yes --appendfsync "$APPENDFSYNC"
start_millrace "$work/millrace" --appendfsync "$APPENDFSYNC"

run() { # port pipeline test -> req/s
  redis-benchmark -p "$1" -c "$CLIENTS" -n "$REQUESTS" -P "$2" -t "$3" --csv -q 2>/dev/null \
    | awk -F'"' 'NR==2 {print $4}'
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

if [ "$WARMUP" = 1 ]; then
  for p in $PIPELINES; do
    for t in ${TESTS//,/ }; do
      run "$REDIS_PORT" "$p" "$t" >/dev/null
      run "$MILLRACE_PORT" "$p" "$t" >/dev/null
    done
  done
fi

printf '%-8s %4s %14s %14s %8s\n' test P millrace_rps redis_rps ratio
for p in $PIPELINES; do
  for t in ${TESTS//,/ }; do
    m=(); r=()
    for _ in $(seq 1 "$ROUNDS"); do
      r+=("$(run "$REDIS_PORT" "$p" "$t")")
      m+=("$(run "$MILLRACE_PORT" "$p" "$t")")
    done
    mm=$(printf '%s\n' "${m[@]}" | median)
    rm_=$(printf '%s\n' "${r[@]}" | median)
    ratio=$(awk -v a="$mm" -v b="$rm_" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
    printf '%-8s %4s %14s %14s %8s\n' "$t" "$p" "$mm" "$rm_" "$ratio"
  done
done
