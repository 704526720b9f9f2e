#!/usr/bin/env bash
# Restart time with a large dataset, Millrace beside redis-server (issue 6).
#
#   bench/restart.sh                                10,000,000 string keys + one 10,000,000-entry stream
#   KEYS=1000000 ENTRIES=1000000 bench/restart.sh   smaller
#   DATA=/tmp/restart/data bench/restart.sh         keep the filled data directories under DATA and
#                                                   reuse them next time (delete DATA yourself)
#   PHASES="clean" DATA=... bench/restart.sh        only some phases (default: "empty clean crash")
#
# Both servers run with appendonly yes (Redis with its RDB preamble: after the fill, BGREWRITEAOF
# makes its AOF base an RDB of the whole dataset, so its load time is its RDB load time).
#   empty  launch -> first PONG on an empty directory: the part of a start that is not data
#   fill   SET key:N key:N for N < KEYS and ENTRIES x "XADD s * f N" through redis-cli --pipe, then
#          DBSIZE and XLEN checked on both (done once per DATA directory)
#   clean  SHUTDOWN, then launch -> first PONG, RUNS times (median), with the server's own
#          "DB loaded ... seconds" log line
#   crash  a snapshot (Millrace BGSAVE, then its standby copy; Redis BGREWRITEAOF), TAIL more SETs,
#          kill -9, then launch -> first PONG and the "DB loaded" line: recovery from a big snapshot
#          plus a small tail. Millrace twice: with the snapshot's standby (renamed into place), and
#          again after another TAIL and kill -9 with the standby deleted (the snapshot is copied, as
#          every recovery did before standbys).
# A PONG only counts when it is the reply (Redis answers -LOADING while it loads). Beside each wall
# time, "cpu/flt/io": the process's CPU ms, page faults (thousands) and MB read + written through
# system calls at its first PONG, which a busy machine disturbs less than wall time (a start that
# read or copied the data would show it there).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
KEYS=${KEYS:-10000000}
ENTRIES=${ENTRIES:-10000000}
TAIL=${TAIL:-10000}
RUNS=${RUNS:-3}
PHASES=${PHASES:-"empty clean crash"}
REDIS_PORT=${REDIS_PORT:-7393}
MILLRACE_PORT=${MILLRACE_PORT:-7394}
source "$root/bench/lib.sh"
require_redis_tools
DATA=${DATA:-$work/data}
mkdir -p "$DATA"

now_ms() { date +%s%3N; }
until_down() { while redis-cli -p "$1" ping >/dev/null 2>&1; do sleep 0.05; done; }
median() { sort -n | awk '{a[NR] = $0} END {print a[int((NR + 1) / 2)]}'; }

cost() { # pid -> "cpu_ms/faults/MB" of the process so far: utime + stime, minor + major page
  # faults (thousands), and MB read and written through system calls (rchar + wchar: a file copy)
  local io; io=$(awk '/^rchar|^wchar/ {s += $2} END {printf "%d", s / 1048576}' "/proc/$1/io")
  awk -v hz="$(getconf CLK_TCK)" -v io="$io" '{printf "%d/%dk/%d", ($14 + $15) * 1000 / hz, ($10 + $12) / 1000, io}' "/proc/$1/stat"
}
launch_redis() { # dir -> prints "wall_ms cpu_ms/faults" of launch -> PONG
  local wall
  wall=$(first_ready_ms "$REDIS_PORT" redis-server --port "$REDIS_PORT" --dir "$1" --save "" --appendonly yes \
    --aof-use-rdb-preamble yes --daemonize yes --logfile "$1/redis.log")
  echo "$wall $(cost "$(server_pid "$REDIS_PORT")")"
}
launch_millrace() { # dir -> prints "wall_ms cpu_ms/faults" of launch -> PONG; the pid goes to $work/millrace.pid
  local wall
  wall=$(LOG="$1.log" first_ready_ms "$MILLRACE_PORT" "$root/millrace-server" --port "$MILLRACE_PORT" --dir "$1" \
    --save "" --appendonly yes)
  server_pid "$MILLRACE_PORT" >"$work/millrace.pid"
  echo "$wall $(cost "$(cat "$work/millrace.pid")")"
}
loaded_line() { # log -> the seconds of the last "DB loaded" line
  grep 'DB loaded' "$1" | tail -1 | sed -E 's/.*: ([0-9.]+) seconds.*/\1/'
}
stop_redis() { redis-cli -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true; until_down "$REDIS_PORT"; }
stop_millrace() {
  redis-cli -p "$MILLRACE_PORT" shutdown >/dev/null 2>&1 || true
  until_gone "$(cat "$work/millrace.pid")"
  until_down "$MILLRACE_PORT"
}
kill9_redis() { kill -9 "$(server_pid "$REDIS_PORT")"; until_down "$REDIS_PORT"; }
kill9_millrace() { kill -9 "$(cat "$work/millrace.pid")"; until_gone "$(cat "$work/millrace.pid")"; until_down "$MILLRACE_PORT"; }

generate() { # set FROM COUNT | xadd COUNT: RESP commands on stdout
  python3 - "$@" <<'PY'
import sys
kind = sys.argv[1]
out = sys.stdout.buffer
buf = []
def flush():
    out.write(b"".join(buf)); buf.clear()
if kind == "set":
    start, count = int(sys.argv[2]), int(sys.argv[3])
    for i in range(start, start + count):
        k = b"key:%d" % i
        buf.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(k), k))
        if len(buf) == 10000:
            flush()
else:
    for i in range(int(sys.argv[2])):
        v = b"%d" % i
        buf.append(b"*5\r\n$4\r\nXADD\r\n$1\r\ns\r\n$1\r\n*\r\n$1\r\nf\r\n$%d\r\n%s\r\n" % (len(v), v))
        if len(buf) == 10000:
            flush()
flush()
PY
}
pipe() { # port
  redis-cli -p "$1" --pipe | awk '/errors:/ {print} /errors: [1-9]/ {bad = 1} END {exit bad}'
}

report() { # phase "redis_ms cost" "millrace_ms cost" redis_loaded millrace_loaded
  local r=($2) m=($3)
  printf '%-14s %9s %9s %7s %16s %16s %15s %17s\n' "$1" "${r[0]}" "${m[0]}" \
    "$(awk -v r="${r[0]}" -v m="${m[0]}" 'BEGIN {printf "%.2f", m / r}')" "${r[1]}" "${m[1]}" "${4:--}" "${5:--}"
}

rdir="$DATA/redis"
mdir="$DATA/millrace"
printf '%-14s %9s %9s %7s %16s %16s %15s %17s\n' phase redis_ms millrace_ms ratio redis_cpu/flt/io millrace_cpu/flt/io redis_loaded_s millrace_loaded_s

if [[ " $PHASES " == *" empty "* ]]; then
  rs=(); ms=(); ml=()
  for _ in $(seq "$RUNS"); do
    rm -rf "$work/empty-redis" "$work/empty-millrace"; mkdir -p "$work/empty-redis"
    rs+=("$(launch_redis "$work/empty-redis")"); stop_redis
    ms+=("$(launch_millrace "$work/empty-millrace")"); ml+=("$(loaded_line "$work/empty-millrace.log")"); stop_millrace
  done
  report empty "$(printf '%s\n' "${rs[@]}" | median)" "$(printf '%s\n' "${ms[@]}" | median)" - "$(printf '%s\n' "${ml[@]}" | median)"
fi

if [ ! -f "$DATA/filled-$KEYS-$ENTRIES" ]; then
  rm -rf "$rdir" "$mdir" "$mdir.log"; mkdir -p "$rdir"
  launch_redis "$rdir" >/dev/null
  t0=$(now_ms); generate set 0 "$KEYS" | pipe "$REDIS_PORT"; generate xadd "$ENTRIES" | pipe "$REDIS_PORT"; t1=$(now_ms)
  redis-cli -p "$REDIS_PORT" bgrewriteaof >/dev/null
  until redis-cli -p "$REDIS_PORT" info persistence | grep -q '^aof_rewrite_in_progress:0'; do sleep 0.2; done
  echo "redis filled in $((t1 - t0)) ms: dbsize $(redis-cli -p "$REDIS_PORT" dbsize), xlen $(redis-cli -p "$REDIS_PORT" xlen s)"
  stop_redis
  launch_millrace "$mdir" >/dev/null
  t0=$(now_ms); generate set 0 "$KEYS" | pipe "$MILLRACE_PORT"; generate xadd "$ENTRIES" | pipe "$MILLRACE_PORT"; t1=$(now_ms)
  echo "millrace filled in $((t1 - t0)) ms: dbsize $(redis-cli -p "$MILLRACE_PORT" dbsize), xlen $(redis-cli -p "$MILLRACE_PORT" xlen s)"
  stop_millrace
  touch "$DATA/filled-$KEYS-$ENTRIES"
fi
du -sh "$rdir" "$mdir" | sed 's/^/disk: /'

check_counts() { # port expected_keys
  local keys xlen; keys=$(redis-cli -p "$1" dbsize); xlen=$(redis-cli -p "$1" xlen s)
  if [ "$keys" -lt "$2" ] || [ "$xlen" -ne "$ENTRIES" ]; then
    echo "port $1: dbsize $keys (expected >= $2), xlen $xlen (expected $ENTRIES)" >&2; exit 1
  fi
}

if [[ " $PHASES " == *" clean "* ]]; then
  rs=(); ms=(); rl=(); ml=()
  for _ in $(seq "$RUNS"); do
    rs+=("$(launch_redis "$rdir")"); rl+=("$(loaded_line "$rdir/redis.log")"); check_counts "$REDIS_PORT" $((KEYS + 1)); stop_redis
    ms+=("$(launch_millrace "$mdir")"); ml+=("$(loaded_line "$mdir.log")"); check_counts "$MILLRACE_PORT" $((KEYS + 1)); stop_millrace
  done
  report clean "$(printf '%s\n' "${rs[@]}" | median)" "$(printf '%s\n' "${ms[@]}" | median)" \
    "$(printf '%s\n' "${rl[@]}" | median)" "$(printf '%s\n' "${ml[@]}" | median)"
fi

if [[ " $PHASES " == *" crash "* ]]; then
  tail_from=$((KEYS + 1000000000))
  launch_redis "$rdir" >/dev/null
  redis-cli -p "$REDIS_PORT" bgrewriteaof >/dev/null
  until redis-cli -p "$REDIS_PORT" info persistence | grep -q '^aof_rewrite_in_progress:0'; do sleep 0.2; done
  generate set "$tail_from" "$TAIL" | pipe "$REDIS_PORT" >/dev/null
  kill9_redis
  r=$(launch_redis "$rdir"); rloaded=$(loaded_line "$rdir/redis.log"); check_counts "$REDIS_PORT" $((KEYS + 1 + TAIL)); stop_redis

  launch_millrace "$mdir" >/dev/null
  t0=$(now_ms)
  redis-cli -p "$MILLRACE_PORT" bgsave >/dev/null
  until redis-cli -p "$MILLRACE_PORT" info persistence | grep -q '^rdb_bgsave_in_progress:0'; do sleep 0.5; done
  echo "millrace snapshot in $(($(now_ms) - t0)) ms"
  generate set "$tail_from" "$TAIL" | pipe "$MILLRACE_PORT" >/dev/null
  # The tail must be in the AOF (appendfsync everysec) before the kill: a synced write is acknowledged.
  sleep 1.5
  until [ -f "$mdir/snapshots/standby/standby.meta" ]; do sleep 0.5; done
  echo "millrace standby copy ready after $(($(now_ms) - t0)) ms"
  generate set "$tail_from" "$TAIL" | pipe "$MILLRACE_PORT" >/dev/null
  kill9_millrace
  m=$(launch_millrace "$mdir"); mloaded=$(loaded_line "$mdir.log"); check_counts "$MILLRACE_PORT" $((KEYS + 1 + TAIL))
  grep -q 'keyspace: snapshot standby' <(grep 'DB loaded' "$mdir.log" | tail -1) || { echo "the standby was not used" >&2; exit 1; }
  report "crash+standby" "$r" "$m" "$rloaded" "$mloaded"
  generate set "$tail_from" "$TAIL" | pipe "$MILLRACE_PORT" >/dev/null
  kill9_millrace
  rm -rf "$mdir/snapshots/standby" "$mdir/snapshots/tmp-standby"
  m=$(launch_millrace "$mdir"); mloaded=$(loaded_line "$mdir.log"); check_counts "$MILLRACE_PORT" $((KEYS + 1 + TAIL))
  stop_millrace
  report "crash+copy" "$r" "$m" "$rloaded" "$mloaded"
fi
