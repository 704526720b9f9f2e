#!/usr/bin/env bash
# Streams, Millrace beside redis-server on this machine in the same run (issue 4's figures):
#
#   bench/streams.sh                        defaults below
#   ENTRIES=10000000 PENDING=100000 ROUNDS=3 bench/streams.sh
#
#  1. pipelined XADD (redis-benchmark -P 32, 100-byte values): Millrace as launched (AOF everysec)
#     vs Redis as launched (no AOF), then both with appendfsync everysec; medians of ROUNDS
#     alternating runs, and the ratio. Kafka's producer on this machine: ~135,000 records/s.
#     Then XADD to new keys (-P 1, a random key per request, so each XADD creates a stream: one
#     stream per user, say), NEW_STREAMS requests, both with appendfsync everysec.
#  2. consumer: ENTRIES entries of 100 bytes, read end to end with XREAD COUNT 1000 (and, where
#     the server has consumer groups, XREADGROUP COUNT 1000) by bench/StreamBench.java.
#  3. latency: XADD -> a blocked XREAD, and a blocked XREADGROUP, on another connection: p50 and p99.
#  4. memory: RSS of the Millrace process and Redis's used_memory_rss holding the ENTRIES stream.
#  5. restart: a group with PENDING delivered entries, clean shutdown, then launch -> the first
#     XREADGROUP served from the PEL (Redis: SAVE, then RDB load).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
ENTRIES=${ENTRIES:-1000000}
REQUESTS=${REQUESTS:-500000}
ROUNDS=${ROUNDS:-3}
PENDING=${PENDING:-100000}
NEW_STREAMS=${NEW_STREAMS:-5000}
# The first few thousand messages after a start run before the JIT has compiled the blocking path
# (p99 of 2,000 fresh messages: 3.5 ms; after 20,000: 0.5-0.9 ms): report a server that has run a while.
LATENCY_MESSAGES=${LATENCY_MESSAGES:-20000}
REDIS_PORT=${REDIS_PORT:-7479}
MILLRACE_PORT=${MILLRACE_PORT:-7480}
VALUE=$(head -c 100 /dev/zero | tr '\0' 'x')
# StreamBench runs on Jedis, a test dependency of the protocol module: take its test classpath.
CP_FILE=$(mktemp)
(cd "$root" && mvn -o -q -B package dependency:build-classpath -DskipTests -pl protocol -am \
  -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE" >/dev/null)
CP=$(cat "$CP_FILE"); rm -f "$CP_FILE"

source "$root/bench/lib.sh"
require_redis_tools

xadd_rps() { # port key
  redis-benchmark -p "$1" -c 50 -n "$REQUESTS" -P 32 --csv XADD "$2" '*' f "$VALUE" 2>/dev/null \
    | awk -F'"' 'NR==2 {print $4}'
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
compare_xadd() { # label
  xadd_rps "$REDIS_PORT" warm >/dev/null; xadd_rps "$MILLRACE_PORT" warm >/dev/null
  local m=() r=()
  for i in $(seq 1 "$ROUNDS"); do
    r+=("$(xadd_rps "$REDIS_PORT" "s$i")")
    m+=("$(xadd_rps "$MILLRACE_PORT" "s$i")")
  done
  local mm rr
  mm=$(printf '%s\n' "${m[@]}" | median); rr=$(printf '%s\n' "${r[@]}" | median)
  printf '| XADD -P 32, %s | %s | %s | %s |\n' "$1" "$mm" "$rr" "$(awk -v a="$mm" -v b="$rr" 'BEGIN {printf "%.2f", a / b}')"
}

new_streams_rps() { # port: XADDs that each create a stream (keys drawn from a billion)
  redis-benchmark -p "$1" -c 50 -n "$NEW_STREAMS" -r 1000000000 -P 1 --csv XADD 's:__rand_int__' '*' f v 2>/dev/null \
    | awk -F'"' 'NR==2 {print $4}'
}
compare_new_streams() {
  local m=() r=() mm rr
  for i in $(seq 1 "$ROUNDS"); do
    r+=("$(new_streams_rps "$REDIS_PORT")")
    m+=("$(new_streams_rps "$MILLRACE_PORT")")
  done
  mm=$(printf '%s\n' "${m[@]}" | median); rr=$(printf '%s\n' "${r[@]}" | median)
  printf '| XADD creating a stream each, -P 1, both appendfsync everysec, requests/s | %s | %s | %s |\n' "$mm" "$rr" \
    "$(awk -v a="$mm" -v b="$rr" 'BEGIN {printf "%.3f", a / b}')"
}

mkdir -p "$work/redis" "$work/millrace"
echo "| measurement | Millrace | redis-server | ratio |"
echo "|---|---|---|---|"
start_redis "$work/redis" --appendonly no
start_millrace "$work/millrace"
compare_xadd "as launched (Millrace AOF everysec, Redis no AOF)"
redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null
while redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.05; done
start_redis "$work/redis" --appendonly yes --appendfsync everysec
compare_xadd "both appendfsync everysec"
compare_new_streams
stop_servers
rm -rf "$work/redis" "$work/millrace"; mkdir -p "$work/redis" "$work/millrace"

start_redis "$work/redis" --appendonly no
start_millrace "$work/millrace"
for port in "$REDIS_PORT" "$MILLRACE_PORT"; do
  redis-benchmark -p "$port" -c 50 -n "$ENTRIES" -P 32 -q XADD big '*' f "$VALUE" >/dev/null 2>&1
done
for port in "$MILLRACE_PORT" "$REDIS_PORT"; do
  echo "port $port: $(java -cp "$CP" "$root/bench/StreamBench.java" 2>/dev/null consume "$port" big)" >&2
done
m_read=$(java -cp "$CP" "$root/bench/StreamBench.java" 2>/dev/null consume "$MILLRACE_PORT" big | awk '{print $(NF-1)}')
r_read=$(java -cp "$CP" "$root/bench/StreamBench.java" 2>/dev/null consume "$REDIS_PORT" big | awk '{print $(NF-1)}')
printf '| XREAD COUNT 1000 over %s entries, entries/s | %s | %s | %s |\n' "$ENTRIES" "$m_read" "$r_read" \
  "$(awk -v a="$m_read" -v b="$r_read" 'BEGIN {printf "%.2f", a / b}')"
if redis-cli -p "$MILLRACE_PORT" command info xreadgroup | grep -q xreadgroup; then
  m_group=$(java -cp "$CP" "$root/bench/StreamBench.java" 2>/dev/null consume-group "$MILLRACE_PORT" big | awk '{print $(NF-1)}')
  r_group=$(java -cp "$CP" "$root/bench/StreamBench.java" 2>/dev/null consume-group "$REDIS_PORT" big | awk '{print $(NF-1)}')
  printf '| XREADGROUP COUNT 1000 over %s entries, entries/s | %s | %s | %s |\n' "$ENTRIES" "$m_group" "$r_group" \
    "$(awk -v a="$m_group" -v b="$r_group" 'BEGIN {printf "%.2f", a / b}')"
fi
for mode in latency latency-group; do
  m_lat=$(java -cp "$CP" "$root/bench/StreamBench.java" 2>/dev/null "$mode" "$MILLRACE_PORT" "$mode" "$LATENCY_MESSAGES")
  r_lat=$(java -cp "$CP" "$root/bench/StreamBench.java" 2>/dev/null "$mode" "$REDIS_PORT" "$mode" "$LATENCY_MESSAGES")
  printf '| %s latency | %s | %s | |\n' "${m_lat%%:*}" "${m_lat#*: }" "${r_lat#*: }"
done

m_rss=$(( $(ps -o rss= -p "$(pgrep -f "port $MILLRACE_PORT" | head -1)") * 1024 ))
r_rss=$(redis-cli -p "$REDIS_PORT" info memory | awk -F: '/^used_memory_rss:/ {print $2+0}')
m_disk=$(du -s -B1 "$work/millrace/streams" | cut -f1)  # blocks in use, not the sparse size
printf '| RSS holding %s entries (MB) | %s | %s | %s |\n' "$ENTRIES" $((m_rss >> 20)) $((r_rss >> 20)) \
  "$(awk -v a="$m_rss" -v b="$r_rss" 'BEGIN {printf "%.2f", a / b}')"
printf '| stream log on disk, bytes per entry | %s | | |\n' "$((m_disk / ENTRIES))"

# A group with PENDING entries delivered and not acknowledged: restart must bring the PEL back.
for port in "$REDIS_PORT" "$MILLRACE_PORT"; do
  redis-cli -p "$port" xgroup create big g 0 >/dev/null
  redis-cli -p "$port" xreadgroup group g c count "$PENDING" streams big '>' >/dev/null
done
redis-cli -p "$REDIS_PORT" save >/dev/null
redis_pid=$(server_pid "$REDIS_PORT") millrace_pid=$(server_pid "$MILLRACE_PORT")
stop_servers
until_gone "$redis_pid"; until_gone "$millrace_pid"
# Ready = the stream is whole and a consumer is served from its PEL (history read from 0).
export PROBE=$'xlen big\nxreadgroup group g c count 1 streams big 0' READY=":$ENTRIES\r\n\\*1\r\n"
r_restart=$(first_ready_ms "$REDIS_PORT" redis-server --port "$REDIS_PORT" --dir "$work/redis" --save "" \
  --appendonly no --daemonize yes --logfile "$work/redis/redis.log")
m_restart=$(LOG="$work/millrace.log" first_ready_ms "$MILLRACE_PORT" "$root/millrace-server" --port "$MILLRACE_PORT" \
  --dir "$work/millrace" --save "")
printf '| restart, %s pending -> first served XREADGROUP (ms) | %s | %s | |\n' \
  "$(redis-cli -p "$MILLRACE_PORT" xpending big g | head -1)" "$m_restart" "$r_restart"
