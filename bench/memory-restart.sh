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

source "$root/bench/lib.sh"
require_redis_tools

redis_command() { # dir
  echo redis-server --port "$REDIS_PORT" --dir "$1" --appendonly no --save "" --daemonize yes --logfile "$1/redis.log"
}
millrace_command() { # dir
  echo "$root/millrace-server" --port "$MILLRACE_PORT" --dir "$1" --save ""
}
# Launch -> the first answer that reads the collection (ms): a ZRANGE with a member, an HGET with a value.
until_served() { # type port command...
  local type=$1; shift
  if [ "$type" = zset ]; then
    PROBE="zrange big 0 0" READY='\*1\r\n\$' first_ready_ms "$@"
  else
    PROBE="hget big e:000000000001" READY='\$1\r\nv\r\n' first_ready_ms "$@"
  fi
}
stop() { # port: shuts the server down and waits for its process to end
  local pid; pid=$(server_pid "$1")
  redis-cli -p "$1" shutdown >/dev/null 2>&1 || true
  until_gone "$pid"
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

printf '%-5s %-9s %16s %16s %14s\n' type server bytes/element what restart_ms
for t in $TYPES; do
  # Redis
  rdir="$work/redis-$t"; mkdir -p "$rdir"
  first_ready_ms "$REDIS_PORT" $(redis_command "$rdir") >/dev/null
  before=$(redis-cli -p "$REDIS_PORT" info memory | awk -F: '/^used_memory:/ {print $2+0}')
  fill "$REDIS_PORT" "$t" big
  after=$(redis-cli -p "$REDIS_PORT" info memory | awk -F: '/^used_memory:/ {print $2+0}')
  usage=$(redis-cli -p "$REDIS_PORT" memory usage big samples 0)
  redis-cli -p "$REDIS_PORT" save >/dev/null
  stop "$REDIS_PORT"
  restart=$(until_served "$t" "$REDIS_PORT" $(redis_command "$rdir"))
  stop "$REDIS_PORT"
  printf '%-5s %-9s %16.1f %16s %14s\n' "$t" redis "$(awk -v a="$after" -v b="$before" -v n="$SIZE" 'BEGIN {print (a-b)/n}')" used_memory "$restart"
  printf '%-5s %-9s %16.1f %16s %14s\n' "$t" redis "$(awk -v a="$usage" -v n="$SIZE" 'BEGIN {print a/n}')" "MEMORY USAGE" ""

  # Millrace
  mdir="$work/millrace-$t"
  LOG="$mdir.log" first_ready_ms "$MILLRACE_PORT" $(millrace_command "$mdir") >/dev/null
  pid=$(server_pid "$MILLRACE_PORT")
  sleep 1  # the resident set a start leaves settles in its first second (the JIT, the cron's first ticks)
  rss0=$(rss_kb "$pid"); disk0=$(du -sk "$mdir/keyspace" | awk '{print $1}')
  fill "$MILLRACE_PORT" "$t" big
  rss1=$(rss_kb "$pid"); disk1=$(du -sk "$mdir/keyspace" | awk '{print $1}')
  stop "$MILLRACE_PORT"
  sync
  restart=$(LOG="$mdir.log" until_served "$t" "$MILLRACE_PORT" $(millrace_command "$mdir"))
  stop "$MILLRACE_PORT"
  printf '%-5s %-9s %16.1f %16s %14s\n' "$t" millrace "$(awk -v a="$rss1" -v b="$rss0" -v n="$SIZE" 'BEGIN {print (a-b)*1024/n}')" "RSS delta" "$restart"
  printf '%-5s %-9s %16.1f %16s %14s\n' "$t" millrace "$(awk -v a="$disk1" -v b="$disk0" -v n="$SIZE" 'BEGIN {print (a-b)*1024/n}')" "keyspace disk" ""
done
