#!/usr/bin/env bash
# EVALSHA of a 5-command sliding-window rate limiter (ZREMRANGEBYSCORE, ZCARD, ZADD, PEXPIRE, ZCARD on
# one key per client request) against Millrace and a real redis-server in the same run, alternating,
# at -P 1 and -P 32; prints requests/s of each and the ratio Millrace/Redis (issue 5 asks >= 0.5).
#
#   bench/scripting.sh
#   CLIENTS=50 REQUESTS=200000 PIPELINES="1 32" ROUNDS=3 KEYS=1000 bench/scripting.sh
#
# The script is loaded with SCRIPT LOAD on both servers; redis-benchmark then sends
# "EVALSHA <sha> 1 rl:__rand_int__ <now> 60000 1000000 req:__rand_int__" (KEYS distinct keys).
# WARMUP=1 (default) runs once unmeasured first: the JVM's JIT needs a few seconds of load. Measured
# with bench_compare (bench/lib.sh): each run on an emptied keyspace (FLUSHALL keeps the scripts).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
CLIENTS=${CLIENTS:-50}
REQUESTS=${REQUESTS:-200000}
PIPELINES=${PIPELINES:-"1 32"}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-1}
KEYS=${KEYS:-1000}
REDIS_PORT=${REDIS_PORT:-7481}
MILLRACE_PORT=${MILLRACE_PORT:-7482}
APPENDFSYNC=${APPENDFSYNC:-everysec}

SCRIPT="redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, tonumber(ARGV[1]) - tonumber(ARGV[2]))
local count = redis.call('ZCARD', KEYS[1])
if count >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return redis.call('ZCARD', KEYS[1])"

source "$root/bench/lib.sh"
require_redis_tools
start_redis "$work" --appendonly yes --appendfsync "$APPENDFSYNC"
start_millrace "$work/millrace" --appendfsync "$APPENDFSYNC"

sha_r=$(redis-cli -p "$REDIS_PORT" script load "$SCRIPT")
sha_m=$(redis-cli -p "$MILLRACE_PORT" script load "$SCRIPT")
[ "$sha_r" = "$sha_m" ] || { echo "SCRIPT LOAD differs: $sha_r vs $sha_m" >&2; exit 1; }
now=$(date +%s%3N)

printf '%-16s %4s %14s %14s %8s\n' test P millrace_rps redis_rps ratio
for p in $PIPELINES; do
  echo "$p|-r $KEYS evalsha $sha_r 1 rl:__rand_int__ $now 60000 1000000 req:__rand_int__"
done | bench_compare | while IFS='|' read -r p _ _ m_rps r_rps _ _; do
  printf '%-16s %4s %14s %14s %8s\n' evalsha-ratelim "$p" "$m_rps" "$r_rps" "$(ratio "$m_rps" "$r_rps")"
done
