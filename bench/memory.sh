#!/usr/bin/env bash
# Resident memory after KEYS distinct `SET key:N <32 random bytes>` (issue 6), Millrace beside
# redis-server, both loaded identically (the same generated commands through `redis-cli --pipe`).
#
#   bench/memory.sh                                  1,000,000 keys, appendonly no and yes, 3 runs each
#   KEYS=200000 MODES=no RUNS=1 bench/memory.sh
#   MILLRACE_HEAP_OPTS="-XX:+UseG1GC" bench/memory.sh   other heap and GC flags than the launcher's
#   THROUGHPUT=1 bench/memory.sh                     also: pipelined SET throughput, launcher's flags
#                                                    vs the JVM's defaults, beside redis-server
#
# Per run and mode it prints
#   Redis:    used_memory and used_memory_rss (INFO memory);
#   Millrace: the process's VmRSS (/proc/<pid>/status) = anonymous + file-backed resident pages, the
#             file-backed part split by file from /proc/<pid>/smaps (keyspace maps, the AOF or
#             snapshot feed, the JVM's own files), and NMT's committed sizes (Java heap, class
#             metadata, code cache, GC structures, threads, other native) with the heap's used size.
# and then the medians with the ratio Millrace RSS / Redis used_memory_rss (target: at most 1.0).
# NMT is on for the measured runs (NMT=0 turns it off); its own bookkeeping (a few MB) is in the RSS.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
KEYS=${KEYS:-1000000}
MODES=${MODES:-"no yes"}
RUNS=${RUNS:-3}
NMT=${NMT:-1}
THROUGHPUT=${THROUGHPUT:-0}
SETTLE=${SETTLE:-5}
REDIS_PORT=${REDIS_PORT:-7395}
MILLRACE_PORT=${MILLRACE_PORT:-7396}

source "$root/bench/lib.sh"
require_redis_tools
[ "$NMT" = 1 ] && export MILLRACE_JAVA_OPTS="${MILLRACE_JAVA_OPTS:-} -XX:NativeMemoryTracking=summary"

python3 - "$KEYS" >"$work/load.resp" <<'PY'
import random, sys
rnd = random.Random(6)  # the same 32 random bytes per key on both servers and in every run
out = sys.stdout.buffer
for i in range(int(sys.argv[1])):
    k = b"key:%d" % i
    out.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$32\r\n%s\r\n" % (len(k), k, rnd.randbytes(32)))
PY

load() { # port
  local out
  out=$(redis-cli -p "$1" --pipe <"$work/load.resp")
  grep -q "errors: 0, replies: $KEYS" <<<"$out" || { echo "load on port $1 failed: $out" >&2; exit 1; }
}
info_field() { redis-cli -p "$1" info memory | tr -d '\r' | awk -F: -v f="$2" '$1 == f {print $2}'; }
mb() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Resident kB per mapped file of a process, grouped: keyspace maps, log (AOF or feed), other files.
file_rss() { # pid -> "keyspace log jvmfiles" in kB
  awk '/^[0-9a-f]+-[0-9a-f]+ / {name = $6} /^Rss:/ {
         if (name ~ /\/keyspace\/.*\.cm3$/) k += $2
         else if (name ~ /\/(appendonlydir|snapshot-feed)\//) l += $2
         else if (name ~ /^\//) o += $2 }
       END {printf "%d %d %d\n", k, l, o}' "/proc/$1/smaps"
}
# NMT committed kB of a category ("Java Heap", "Class", "Code", "GC", "Thread", "Other", ...).
nmt_kb() { # summary category
  awk -v c="$2" 'index($0, "- ") && index($0, c " (") {
      if (match($0, /committed=[0-9]+KB/)) {print substr($0, RSTART + 10, RLENGTH - 12); exit}}' <<<"$1"
}

declare -A redis_rss redis_used millrace_rss
printf '%-4s %-3s %9s %9s | %9s %8s %8s %8s %8s | %7s %7s %7s %6s %6s %6s %6s %7s\n' \
  mode run r_used r_rss m_rss anon keyspace log jvmfile heap heapuse class code gc thread other nmt_tot
for mode in $MODES; do
  for run in $(seq 1 "$RUNS"); do
    rm -rf "$work/redis" "$work/millrace"
    start_redis "$work/redis" --appendonly "$mode"
    load "$REDIS_PORT"
    r_used=$(info_field "$REDIS_PORT" used_memory)
    r_rss=$(info_field "$REDIS_PORT" used_memory_rss)
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true

    start_millrace "$work/millrace" --appendonly "$mode"
    load "$MILLRACE_PORT"
    sleep "$SETTLE" # background work (the next keyspace generation, a GC) settles
    m_rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$mpid/status")
    anon=$(awk '/^RssAnon:/ {print $2}' "/proc/$mpid/status")
    read -r ks lg jf <<<"$(file_rss "$mpid")"
    heap_used="-"; nmt=""
    if [ "$NMT" = 1 ]; then
      nmt=$(jcmd "$mpid" VM.native_memory summary 2>/dev/null || true)
      heap_used=$(jcmd "$mpid" GC.heap_info 2>/dev/null | grep -o 'used [0-9]*K' | head -1 | tr -dc 0-9)
    fi
    redis-cli -p "$MILLRACE_PORT" shutdown >/dev/null 2>&1 || true
    wait "$mpid" 2>/dev/null || true
    mpid=""

    kb() { if [ -n "$1" ]; then awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; else echo "-"; fi; }
    total=$(awk '/^Total:/ {if (match($0, /committed=[0-9]+KB/)) print substr($0, RSTART + 10, RLENGTH - 12)}' <<<"$nmt")
    printf '%-4s %-3s %9s %9s | %9s %8s %8s %8s %8s | %7s %7s %7s %6s %6s %6s %6s %7s\n' \
      "$mode" "$run" "$(mb "$r_used")" "$(mb "$r_rss")" "$(kb "$m_rss")" "$(kb "$anon")" "$(kb "$ks")" "$(kb "$lg")" \
      "$(kb "$jf")" "$(kb "$(nmt_kb "$nmt" "Java Heap")")" "$(kb "$heap_used")" \
      "$(kb "$(( $(nmt_kb "$nmt" Class || echo 0) + $(nmt_kb "$nmt" Metaspace || echo 0) ))")" "$(kb "$(nmt_kb "$nmt" Code)")" "$(kb "$(nmt_kb "$nmt" GC)")" \
      "$(kb "$(nmt_kb "$nmt" Thread)")" "$(kb "$(nmt_kb "$nmt" Other)")" "$(kb "$total")"
    redis_rss[$mode]+="$r_rss "
    redis_used[$mode]+="$r_used "
    millrace_rss[$mode]+="$((m_rss * 1024)) "
  done
done

echo
echo "MB (MiB), medians of $RUNS; ratio = Millrace VmRSS / Redis used_memory_rss"
printf '%-10s %14s %16s %14s %7s\n' appendonly redis_used redis_used_rss millrace_rss ratio
for mode in $MODES; do
  ru=$(tr ' ' '\n' <<<"${redis_used[$mode]}" | grep . | median)
  rr=$(tr ' ' '\n' <<<"${redis_rss[$mode]}" | grep . | median)
  mr=$(tr ' ' '\n' <<<"${millrace_rss[$mode]}" | grep . | median)
  printf '%-10s %14s %16s %14s %7s\n' "$mode" "$(mb "$ru")" "$(mb "$rr")" "$(mb "$mr")" \
    "$(awk -v a="$mr" -v b="$rr" 'BEGIN {printf "%.2f", a / b}')"
done

[ "$THROUGHPUT" = 1 ] || exit 0
# Do the heap and GC flags cost speed? `redis-benchmark -P 32 SET` (random keys) against Millrace with
# the launcher's flags ("flags"), with none (MILLRACE_HEAP_OPTS=" ": the JVM's defaults, G1 with a
# quarter of RAM as max heap) and against redis-server; appendonly no, rounds alternate, medians.
unset MILLRACE_JAVA_OPTS
bench_set() { # port -> requests/s
  redis-benchmark -p "$1" -c 50 -n 1000000 -P 32 -r 1000000 -t set --csv -q 2>/dev/null | awk -F'"' 'NR==2 {print $4}'
}
declare -A rps
for round in $(seq 1 "$RUNS"); do
  for variant in flags defaults redis; do
    rm -rf "$work/redis" "$work/millrace"
    if [ "$variant" = redis ]; then
      start_redis "$work/redis" --appendonly no
      rps[$variant]+="$(bench_set "$REDIS_PORT") "
      redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
      continue
    fi
    if [ "$variant" = defaults ]; then export MILLRACE_HEAP_OPTS=" "; else unset MILLRACE_HEAP_OPTS; fi
    start_millrace "$work/millrace" --appendonly no
    bench_set "$MILLRACE_PORT" >/dev/null # warm-up: the JIT
    rps[$variant]+="$(bench_set "$MILLRACE_PORT") "
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$mpid/status")
    last=${rps[$variant]% }
    echo "round $round $variant: ${last##* } req/s, VmRSS $((rss / 1024)) MB after 2M SETs (1M random keys)" >&2
    redis-cli -p "$MILLRACE_PORT" shutdown >/dev/null 2>&1 || true
    wait "$mpid" 2>/dev/null || true
    mpid=""
  done
done
unset MILLRACE_HEAP_OPTS
echo
echo "SET -P 32 -c 50, requests/s, medians of $RUNS"
flags=$(tr ' ' '\n' <<<"${rps[flags]}" | grep . | median)
defaults=$(tr ' ' '\n' <<<"${rps[defaults]}" | grep . | median)
redis=$(tr ' ' '\n' <<<"${rps[redis]}" | grep . | median)
printf '%-22s %12s %12s\n' variant req/s vs_redis
for v in "millrace-launcher-flags:$flags" "millrace-jvm-defaults:$defaults" "redis-server:$redis"; do
  printf '%-22s %12s %12s\n' "${v%%:*}" "${v#*:}" "$(awk -v a="${v#*:}" -v b="$redis" 'BEGIN {printf "%.2f", a / b}')"
done
