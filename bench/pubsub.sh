#!/usr/bin/env bash
# Pub/sub fan-out, Millrace beside redis-server on this machine in the same run (issue 5's figure):
#
#   bench/pubsub.sh                          defaults below
#   MESSAGES=50000 ROUNDS=5 bench/pubsub.sh
#
# PUBLISH to a channel with SUBSCRIBERS subscribers (each on its own connection, read by its own
# thread), one publisher pipelining PIPELINE commands, SIZE-byte messages: bench/PubSubBench.java.
# Reports messages delivered per second (published x subscribers), medians of ROUNDS alternating
# runs, and the ratio. Both servers as launched, no persistence involved (PUBLISH writes nothing).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
SUBSCRIBERS=${SUBSCRIBERS:-100}
MESSAGES=${MESSAGES:-20000}
PIPELINE=${PIPELINE:-32}
SIZE=${SIZE:-32}
ROUNDS=${ROUNDS:-3}
REDIS_PORT=${REDIS_PORT:-7481}
MILLRACE_PORT=${MILLRACE_PORT:-7482}
(cd "$root" && mvn -o -q -B package -DskipTests -pl protocol -am >/dev/null)

source "$root/bench/lib.sh"
start_redis "$work/redis" --appendonly no
start_millrace "$work/millrace"

delivered() { # port
  java "$root/bench/PubSubBench.java" "$1" "$SUBSCRIBERS" "$MESSAGES" "$PIPELINE" "$SIZE" \
    | sed -E 's/.*delivered ([0-9]+) msg\/s/\1/'
}

delivered "$REDIS_PORT" >/dev/null; delivered "$MILLRACE_PORT" >/dev/null   # warm-up
m=(); r=()
for i in $(seq 1 "$ROUNDS"); do
  r+=("$(delivered "$REDIS_PORT")")
  m+=("$(delivered "$MILLRACE_PORT")")
done
mm=$(printf '%s\n' "${m[@]}" | median); rr=$(printf '%s\n' "${r[@]}" | median)
echo "| measurement | Millrace | redis-server | ratio |"
echo "|---|---|---|---|"
printf '| PUBLISH to %s subscribers, %s-byte messages, -P %s: messages delivered/s (median of %s) | %s | %s | %s |\n' \
  "$SUBSCRIBERS" "$SIZE" "$PIPELINE" "$ROUNDS" "$mm" "$rr" "$(ratio "$mm" "$rr")"
echo "(rounds: Millrace ${m[*]}; redis-server ${r[*]})"
