#!/usr/bin/env bash
# Runs redis-benchmark against Millrace and a real redis-server on this machine in the same run,
# alternating between them, and prints requests/s of each and the ratio Millrace/Redis.
#
#   bench/compare.sh                         the issue's default set
#   TESTS="set,get incr" CLIENTS=50 REQUESTS=200000 PIPELINES="1 32" ROUNDS=3 WARMUP=1 bench/compare.sh
#
# TESTS is a space-separated list of redis-benchmark -t lists; each list is one redis-benchmark run
# on a freshly emptied server, so a test that reads another's data goes in its list (set,get:
# GET then finds the key SET wrote). Both servers have AOF on with APPENDFSYNC (default everysec).
# WARMUP=1 (default) first runs every test once against both servers, unmeasured (the JIT's
# warm-up). bench/table.sh is the issue's full table; both measure with bench_compare in lib.sh.
#
# Installs redis-server/redis-benchmark from Debian when missing. The figure kept per test is the
# median of ROUNDS alternating runs; a ratio is only meaningful beside its reference, so both go out.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
TESTS=${TESTS:-"ping set,get incr mset"}
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
start_redis "$work/redis" --appendonly yes --appendfsync "$APPENDFSYNC"
start_millrace "$work/millrace" --appendonly yes --appendfsync "$APPENDFSYNC"

printf '%-12s %4s %14s %14s %8s\n' test P millrace_rps redis_rps ratio
for p in $PIPELINES; do
  for t in $TESTS; do
    echo "$p|-t $t"
  done
done | bench_compare | while IFS='|' read -r p _ name m_rps r_rps _ _; do
  printf '%-12s %4s %14s %14s %8s\n' "$name" "$p" "$m_rps" "$r_rps" "$(ratio "$m_rps" "$r_rps")"
done
