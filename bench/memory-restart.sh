#!/usr/bin/env bash
# Memory per element and restart time for large collections, Millrace beside redis-server (issue 3).
#
#   bench/memory-restart.sh            1,000,000-member sorted set and 1,000,000-field hash
#   SIZE=200000 TYPES="zset" bench/memory-restart.sh
#
# For each type, on fresh servers: fill one key with SIZE elements (e:%012d, as bench/scaling.sh),
# then report
#   Redis:    used_memory delta and MEMORY USAGE of the key, per element;
#   Millrace: resident set size delta of the process, and the disk blocks the keyspace map files
#             gained (du), per element;
# then restart each server cleanly (Redis: SAVE, then load the RDB; Millrace: SHUTDOWN, then open
# its keyspace) and time launch -> first ZRANGE/HGET answer.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
SIZE=${SIZE:-1000000}
TYPES=${TYPES:-"zset hash"}
REDIS_PORT=${REDIS_PORT:-7479}
MILLRACE_PORT=${MILLRACE_PORT:-7480}

work=$(mktemp -d)
cleanup() {
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  redis-cli -p "$MILLRACE_PORT" shutdown >/dev/null 2>&1 || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
wait_ready() { # port probe-command...
  local port=$1; shift
  until redis-cli -p "$port" "$@" >/dev/null 2>&1; do sleep 0.01; done
}
start_redis() { # dir
  redis-server --port "$REDIS_PORT" --dir "$1" --appendonly no --save "" --daemonize yes \
    --logfile "$1/redis.log" >/dev/null
}
start_millrace() { # dir
  "$root/millrace-server" --port "$MILLRACE_PORT" --dir "$1" --save "" >>"$1.log" 2>&1 &
  echo $! >"$1.pid"
}
rss_kb() { ps -o rss= -p "$1" | tr -d ' '; }
fill() { # port type key
  python3 - "$2" "$3" "$SIZE" <<'PY' | redis-cli -p "$1" --pipe >/dev/null
import sys
kind, key, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
out = sys.stdout.buffer
for start in range(0, size, 1000):
    names = ["e:%012d" % i for i in range(start, min(size, start + 1000))]
    if kind == "zset":
        args = ["ZADD", key] + [x for i, n in enumerate(names) for x in (str(start + i), n)]
    else:
        args = ["HSET", key] + [x for n in names for x in (n, "v")]
    out.write(b"*%d\r\n" % len(args))
    for a in args:
        a = a.encode()
        out.write(b"$%d\r\n%s\r\n" % (len(a), a))
PY
}
probe_for() { if [ "$1" = zset ]; then echo "zrange big 0 0"; else echo "hget big e:000000000001"; fi; }

printf '%-5s %-9s %16s %16s %14s\n' type server bytes/element what restart_ms
for t in $TYPES; do
  # Redis
  rdir="$work/redis-$t"; mkdir -p "$rdir"
  start_redis "$rdir"; wait_ready "$REDIS_PORT" ping
  before=$(redis-cli -p "$REDIS_PORT" info memory | awk -F: '/^used_memory:/ {print $2+0}')
  fill "$REDIS_PORT" "$t" big
  after=$(redis-cli -p "$REDIS_PORT" info memory | awk -F: '/^used_memory:/ {print $2+0}')
  usage=$(redis-cli -p "$REDIS_PORT" memory usage big samples 0)
  redis-cli -p "$REDIS_PORT" save >/dev/null
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  while redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.05; done
  t0=$(now_ms); start_redis "$rdir"; wait_ready "$REDIS_PORT" $(probe_for "$t"); t1=$(now_ms)
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  while redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.05; done
  printf '%-5s %-9s %16.1f %16s %14s\n' "$t" redis "$(awk -v a="$after" -v b="$before" -v n="$SIZE" 'BEGIN {print (a-b)/n}')" used_memory "$((t1 - t0))"
  printf '%-5s %-9s %16.1f %16s %14s\n' "$t" redis "$(awk -v a="$usage" -v n="$SIZE" 'BEGIN {print a/n}')" "MEMORY USAGE" ""

  # Millrace
  mdir="$work/millrace-$t"
  start_millrace "$mdir"; wait_ready "$MILLRACE_PORT" ping
  pid=$(cat "$mdir.pid")
  sleep 1
  rss0=$(rss_kb "$pid"); disk0=$(du -sk "$mdir/keyspace" | awk '{print $1}')
  fill "$MILLRACE_PORT" "$t" big
  rss1=$(rss_kb "$pid"); disk1=$(du -sk "$mdir/keyspace" | awk '{print $1}')
  redis-cli -p "$MILLRACE_PORT" shutdown >/dev/null 2>&1 || true
  wait "$pid" 2>/dev/null || true
  t0=$(now_ms); start_millrace "$mdir"; wait_ready "$MILLRACE_PORT" $(probe_for "$t"); t1=$(now_ms)
  redis-cli -p "$MILLRACE_PORT" shutdown >/dev/null 2>&1 || true
  wait "$(cat "$mdir.pid")" 2>/dev/null || true
  printf '%-5s %-9s %16.1f %16s %14s\n' "$t" millrace "$(awk -v a="$rss1" -v b="$rss0" -v n="$SIZE" 'BEGIN {print (a-b)*1024/n}')" "RSS delta" "$((t1 - t0))"
  printf '%-5s %-9s %16.1f %16s %14s\n' "$t" millrace "$(awk -v a="$disk1" -v b="$disk0" -v n="$SIZE" 'BEGIN {print (a-b)*1024/n}')" "keyspace disk" ""
done
