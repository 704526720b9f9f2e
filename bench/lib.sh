# Shared by the bench scripts (source it): a work directory removed on exit, both servers started
# side by side, and redis-benchmark run against both. Callers set REDIS_PORT and MILLRACE_PORT first;
# $root is the repository.
#
#   start_redis <dir> [redis-server options...]      daemonized, logs to <dir>/redis.log
#   start_millrace <dir> [millrace-server options...] in the background, waits for its PONG; $mpid
#   stop_servers                                     shuts both down (to restart with other options)
#   bench_compare < specs                            redis-benchmark medians of both servers (below)

work=$(mktemp -d)
stop_servers() {
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  redis-cli -p "$MILLRACE_PORT" shutdown >/dev/null 2>&1 || true
  [ -n "${mpid:-}" ] && wait "$mpid" 2>/dev/null || true
  mpid=
  # redis-cli returns when the connection closes; a restart on the same port must find it free.
  while redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.05; done
}
cleanup() {
  stop_servers
  rm -rf "$work"
}
trap cleanup EXIT

require_redis_tools() {
  if ! command -v redis-benchmark >/dev/null || ! command -v redis-server >/dev/null; then
    echo "installing redis-server and redis-tools from Debian..." >&2
    (apt-get install -y redis-server redis-tools || sudo apt-get install -y redis-server redis-tools) >/dev/null
  fi
}

start_redis() { # dir options...
  local dir=$1; shift
  mkdir -p "$dir"
  redis-server --port "$REDIS_PORT" --dir "$dir" --save "" --daemonize yes --logfile "$dir/redis.log" "$@" >/dev/null
  until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.01; done
}

start_millrace() { # dir options...
  local dir=$1; shift
  "$root/millrace-server" --port "$MILLRACE_PORT" --dir "$dir" --save "" "$@" >>"$work/millrace.log" 2>&1 &
  mpid=$!
  for _ in $(seq 1 600); do
    redis-cli -p "$MILLRACE_PORT" ping >/dev/null 2>&1 && return 0
    kill -0 "$mpid" 2>/dev/null || { cat "$work/millrace.log"; exit 1; }
    sleep 0.2
  done
  echo "millrace-server did not answer PING on port $MILLRACE_PORT" >&2
  exit 1
}

progress() { echo "[$(date +%T)] $*" >&2; }

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# The process id of the server on a port (INFO's process_id: Redis and Millrace both report it).
server_pid() { # port
  redis-cli -p "$1" info server | awk -F: '/^process_id:/ {print $2 + 0}'
}

# Waits until a process (not necessarily our child, so not `wait`) has ended: a server still writes
# its files after its port closes.
until_gone() { # pid
  while kill -0 "$1" 2>/dev/null; do sleep 0.02; done
}

# CPU time in ns of every thread of the server on a port, so far (the JVM's JIT and GC included).
server_cpu_ns() { # port
  cat /proc/"$(server_pid "$1")"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f", s}'
}

# One redis-benchmark run (CLIENTS clients) on a server emptied first, so every run of a spec starts
# from the same keyspace on both servers. Prints "name|rps|p99_ms|cpu" per test it ran; the name is
# redis-benchmark's first word ("MSET (10 keys)" -> MSET, "XADD s * f v" -> XADD); cpu is the
# server's CPU time per request over the whole run, in ns (one figure for all the run's tests: a
# server's cost, which requests/s does not show when the client is the bottleneck). The LPUSH an
# LRANGE test runs to fill its list is preparation, not a result, and is dropped (its requests
# count in cpu).
bench_run() { # port pipeline requests redis-benchmark-args...
  local port=$1 pipeline=$2 requests=$3 csv cpu_before cpu_after out; shift 3
  redis-cli -p "$port" flushall >/dev/null
  cpu_before=$(server_cpu_ns "$port")
  csv=$(redis-benchmark -p "$port" -c "$CLIENTS" -n "$requests" -P "$pipeline" --csv -q "$@" 2>/dev/null)
  cpu_after=$(server_cpu_ns "$port")
  out=$(awk -F'"' -v cpu=$((cpu_after - cpu_before)) -v n="$requests" '
    NR > 1 { tests++; if ($2 !~ /needed to benchmark/) { split($2, w, " "); line[++k] = w[1] "|" $4 "|" $14 } }
    END { for (i = 1; i <= k; i++) printf "%s|%.0f\n", line[i], cpu / (n * tests) }' <<<"$csv")
  if [ -z "$out" ]; then
    echo "redis-benchmark on port $port gave no figures for: -P $pipeline $*" >&2
    exit 1
  fi
  echo "$out"
}

# Measures specs, one per line on stdin: "pipeline|redis-benchmark args" (a spec is one
# redis-benchmark run, so tests that need another's data go in one spec: "-t lpush,rpop").
# WARMUP=1 (the default) first runs every spec once on both servers, unmeasured: the JVM's JIT needs
# a few seconds of load before Millrace runs at its steady speed (WARMUP_REQUESTS, default REQUESTS).
# Then ROUNDS runs of REQUESTS per spec, alternating between the servers, the one going first
# switching each round so a drift of the shared machine's load favours neither. Prints per spec and
# test "pipeline|args|name|millrace rps|redis rps|millrace p99 ms|redis p99 ms|millrace cpu|redis cpu"
# (cpu: the server's CPU ns per request, see bench_run), each the median over the rounds.
bench_compare() {
  local specs spec pipeline args words round name server port column runs=$work/bench-runs
  mapfile -t specs
  if [ "${WARMUP:-1}" = 1 ]; then
    for spec in "${specs[@]}"; do
      pipeline=${spec%%|*} args=${spec#*|}
      read -r -a words <<<"$args"   # read, not $args unquoted: "XADD s * f v" must not glob
      progress "warm-up -P $pipeline $args"
      bench_run "$REDIS_PORT" "$pipeline" "${WARMUP_REQUESTS:-$REQUESTS}" "${words[@]}" >/dev/null
      bench_run "$MILLRACE_PORT" "$pipeline" "${WARMUP_REQUESTS:-$REQUESTS}" "${words[@]}" >/dev/null
    done
  fi
  for spec in "${specs[@]}"; do
    pipeline=${spec%%|*} args=${spec#*|}
    read -r -a words <<<"$args"
    : >"$runs.redis"; : >"$runs.millrace"
    for round in $(seq 1 "$ROUNDS"); do
      progress "-P $pipeline $args: round $round of $ROUNDS"
      for server in $( ((round % 2)) && echo redis millrace || echo millrace redis); do
        port=$REDIS_PORT; [ "$server" = millrace ] && port=$MILLRACE_PORT
        bench_run "$port" "$pipeline" "$REQUESTS" "${words[@]}" >>"$runs.$server"
      done
    done
    for name in $(cut -d'|' -f1 "$runs.redis" | awk '!seen[$0]++'); do
      printf '%s|%s|%s' "$pipeline" "$args" "$name"
      for column in 2 3 4; do
        for server in millrace redis; do
          printf '|%s' "$(awk -F'|' -v n="$name" -v c="$column" '$1 == n {print $c}' "$runs.$server" | median)"
        done
      done
      printf '\n'
    done
  done
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# Launches a command and prints the milliseconds from its launch to the first time the server on a
# port answers PROBE (inline commands, one per line; default PING) with replies matching READY (a
# Python regular expression over the replies, from their start; default +PONG): a -LOADING reply
# never matches. It polls every 5 ms from one process, with a socket: a poll that spawns redis-cli
# every few milliseconds takes a good part of a core from the server it times (on this 2-core
# machine it added about 0.9 s to a Millrace start). The command's output goes to $LOG (default:
# discarded); it keeps running. Fails after 10 minutes without a match (a start that died).
first_ready_ms() { # port command...
  python3 - "$@" <<'PY'
import os, re, socket, subprocess, sys, time
port = int(sys.argv[1])
probe = "".join(line.strip() + "\r\n" for line in os.environ.get("PROBE", "PING").splitlines() if line.strip()).encode()
ready = re.compile(os.environ.get("READY", r"\+PONG\r\n").encode())
log = open(os.environ["LOG"], "a") if os.environ.get("LOG") else subprocess.DEVNULL

def answered(s):
    s.sendall(probe)
    replies = s.recv(65536)
    s.settimeout(0.02)  # the rest of a reply that came in parts; a mismatch costs one timeout
    while replies and not ready.match(replies):
        more = s.recv(65536)
        if not more:
            return False
        replies += more
    return bool(replies)

started = time.monotonic()
subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
while True:
    if time.monotonic() - started > 600:
        sys.exit("no ready reply on port %d within 10 minutes of launching %s" % (port, sys.argv[2]))
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            if answered(s):
                break
    except OSError:
        pass
    time.sleep(0.005)
print(round((time.monotonic() - started) * 1000))
PY
}