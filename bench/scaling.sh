#!/usr/bin/env bash
# Per-command cost on a 1,000,000-element collection beside the same command on a 100-element one,
# for Millrace and a real redis-server in the same run (issue 3: at most 3x for Millrace). LPUSH and
# RPOP are measured together as LMOVE key key RIGHT LEFT, which keeps the list's length.
#
#   bench/scaling.sh                 every case below
#   CASES="zscore hget" BIG=1000000 SMALL=100 REQUESTS=200000 PIPELINE=32 bench/scaling.sh
#
# Each collection is filled with elements named e:%012d (redis-benchmark's __rand_int__ format),
# so `-r SIZE` makes every request hit an existing element. Prints, per case and server, requests/s
# on the small and the big key and their quotient (cost factor = small rps / big rps).
#
# Like for like: ZADD gives a random score (each __rand_int__ is drawn on its own), so on both keys
# nearly every request moves a member; with one fixed score the small key's members all reach it
# within its first 100 requests and it then measures a no-op, while the big key goes on moving
# members. Warm-up: before a type's cases are measured, each runs unmeasured on the small key and
# on a twin of the big key (then deleted), so Millrace's JIT has compiled the large-collection code
# too and the measured keys are as filled.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
BIG=${BIG:-1000000}
SMALL=${SMALL:-100}
REQUESTS=${REQUESTS:-200000}
PIPELINE=${PIPELINE:-32}
CLIENTS=${CLIENTS:-50}
REDIS_PORT=${REDIS_PORT:-7479}
MILLRACE_PORT=${MILLRACE_PORT:-7480}
CASES=${CASES:-"zadd zscore zrank zrangebyscore hset hget sadd sismember lmove lindex lrange"}

source "$root/bench/lib.sh"
start_redis "$work" --appendonly yes
start_millrace "$work/millrace"

fill() { # port type key size: variadic commands of 1000 elements, through redis-cli --pipe
  python3 - "$2" "$3" "$4" <<'PY' | redis-cli -p "$1" --pipe >/dev/null
import sys
kind, key, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
out = sys.stdout.buffer
def cmd(args):
    out.write(b"*%d\r\n" % len(args))
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.write(b"$%d\r\n%s\r\n" % (len(a), a))
for start in range(0, size, 1000):
    names = ["e:%012d" % i for i in range(start, min(size, start + 1000))]
    if kind == "zset":
        args = ["ZADD", key]
        for i, n in enumerate(names):
            args += [start + i, n]
    elif kind == "hash":
        args = ["HSET", key] + [x for n in names for x in (n, "v")]
    elif kind == "set":
        args = ["SADD", key] + names
    else:
        args = ["RPUSH", key] + names
    cmd(args)
PY
}

command_for() { # case key size -> redis-benchmark command words
  case "$1" in
    zadd) echo "ZADD $2 __rand_int__ e:__rand_int__" ;;
    zscore) echo "ZSCORE $2 e:__rand_int__" ;;
    zrank) echo "ZRANK $2 e:__rand_int__" ;;
    zrangebyscore) echo "ZRANGEBYSCORE $2 __rand_int__ +inf LIMIT 0 10" ;;
    hset) echo "HSET $2 e:__rand_int__ w" ;;
    hget) echo "HGET $2 e:__rand_int__" ;;
    sadd) echo "SADD $2 e:__rand_int__" ;;
    sismember) echo "SISMEMBER $2 e:__rand_int__" ;;
    # LPUSH and RPOP together, keeping the list's length: pop the tail, push it at the head
    lmove) echo "LMOVE $2 $2 RIGHT LEFT" ;;
    lindex) echo "LINDEX $2 -3" ;;
    lrange) echo "LRANGE $2 0 9" ;;
  esac
}
type_for() {
  case "$1" in z*) echo zset ;; h*) echo hash ;; s*) echo set ;; *) echo list ;; esac
}

rps() { # port size words...
  local port=$1 size=$2; shift 2
  redis-benchmark -p "$port" -c "$CLIENTS" -n "$REQUESTS" -P "$PIPELINE" -r "$size" --csv -q "$@" 2>/dev/null \
    | awk -F'"' 'NR==2 {print $4}'
}

for port in "$REDIS_PORT" "$MILLRACE_PORT"; do
  for t in zset hash set list; do
    fill "$port" "$t" "small:$t" "$SMALL"
    fill "$port" "$t" "big:$t" "$BIG"
  done
done
echo "filled: $(redis-cli -p "$MILLRACE_PORT" zcard big:zset) / $(redis-cli -p "$REDIS_PORT" zcard big:zset) in big:zset"

printf '%-14s %-9s %12s %12s %8s\n' case server small_rps big_rps cost_x
for t in zset hash set list; do
  cases=$(for c in $CASES; do if [ "$(type_for "$c")" = "$t" ]; then echo "$c"; fi; done)
  [ -n "$cases" ] || continue
  for port in "$REDIS_PORT" "$MILLRACE_PORT"; do
    fill "$port" "$t" "warm:$t" "$BIG"
    for c in $cases; do
      rps "$port" "$SMALL" $(command_for "$c" "small:$t") >/dev/null
      rps "$port" "$BIG" $(command_for "$c" "warm:$t") >/dev/null
    done
    redis-cli -p "$port" del "warm:$t" >/dev/null
  done
  for c in $cases; do
    for server in redis millrace; do
      port=$REDIS_PORT; [ "$server" = millrace ] && port=$MILLRACE_PORT
      s=$(rps "$port" "$SMALL" $(command_for "$c" "small:$t"))
      b=$(rps "$port" "$BIG" $(command_for "$c" "big:$t"))
      x=$(awk -v a="$s" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
      printf '%-14s %-9s %12s %12s %8s\n' "$c" "$server" "$s" "$b" "$x"
    done
  done
done
