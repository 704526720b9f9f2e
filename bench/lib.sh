# Shared by the bench scripts (source it): a work directory removed on exit, and both servers started
# side by side. Callers set REDIS_PORT and MILLRACE_PORT first; $root is the repository.
#
#   start_redis <dir> [redis-server options...]      daemonized, logs to <dir>/redis.log
#   start_millrace <dir> [millrace-server options...] in the background, waits for its PONG; $mpid

work=$(mktemp -d)
cleanup() {
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  redis-cli -p "$MILLRACE_PORT" shutdown >/dev/null 2>&1 || true
  [ -n "${mpid:-}" ] && wait "$mpid" 2>/dev/null || true
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
