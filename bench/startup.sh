#!/usr/bin/env bash
# Start-up time (issue 6: an empty server answers its first PING within 1 second of launch): launch ->
# first PONG of ./millrace-server and of redis-server on empty data directories, ROUNDS times each,
# alternating, then a clean restart of Millrace on the directory its last round left. Prints every
# round and the medians. Polls with one process and a socket (first_ready_ms in lib.sh), not with
# redis-cli in a loop, which slowed the server it timed.
#
#   bench/startup.sh                      5 rounds
#   BASE=/path/to/other/checkout bench/startup.sh   also that checkout's launcher (an A/B), alternating
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
ROUNDS=${ROUNDS:-5}
REDIS_PORT=${REDIS_PORT:-7395}
MILLRACE_PORT=${MILLRACE_PORT:-7396}
source "$root/bench/lib.sh"
require_redis_tools

launchers=("$root")
[ -n "${BASE:-}" ] && launchers+=("$BASE")
for launcher in "${launchers[@]}"; do  # builds and trains the class-data archive if needed, unmeasured
  "$launcher/millrace-server" --version >/dev/null
done

stop() { # port: shuts the server down, waits for its process to end (it writes files until then),
  # and lets the disk settle: the next start must not compete with this one's writes being flushed
  local pid; pid=$(server_pid "$1")
  redis-cli -p "$1" shutdown nosave >/dev/null 2>&1 || true
  until_gone "$pid"
  sync; sleep 1
}
: >"$work/times"
for round in $(seq 1 "$ROUNDS"); do
  for launcher in "${launchers[@]}"; do
    rm -rf "$work/m"
    ms=$(first_ready_ms "$MILLRACE_PORT" "$launcher/millrace-server" --port "$MILLRACE_PORT" --dir "$work/m")
    stop "$MILLRACE_PORT"
    echo "millrace:$launcher $ms" >>"$work/times"
  done
  rm -rf "$work/r"; mkdir -p "$work/r"
  ms=$(first_ready_ms "$REDIS_PORT" redis-server --port "$REDIS_PORT" --dir "$work/r" --save "" --appendonly no)
  stop "$REDIS_PORT"
  echo "redis-server $ms" >>"$work/times"
  progress "round $round: $(tail -n $((${#launchers[@]} + 1)) "$work/times" | tr '\n' ' ')"
done
for launcher in "${launchers[@]}"; do  # the clean restart, on the directory the last round left
  : >"$work/restart"
  for round in $(seq 1 "$ROUNDS"); do
    rm -rf "$work/m"
    "$launcher/millrace-server" --port "$MILLRACE_PORT" --dir "$work/m" >/dev/null 2>&1 &
    until redis-cli -p "$MILLRACE_PORT" ping >/dev/null 2>&1; do sleep 0.05; done
    redis-cli -p "$MILLRACE_PORT" set k v >/dev/null
    stop "$MILLRACE_PORT"
    first_ready_ms "$MILLRACE_PORT" "$launcher/millrace-server" --port "$MILLRACE_PORT" --dir "$work/m" >>"$work/restart"
    stop "$MILLRACE_PORT"
  done
  echo "millrace-restart:$launcher $(tr '\n' ' ' <"$work/restart")" >>"$work/times"
  tr '\n' ' ' <"$work/restart" | sed "s|^|restart $launcher: |" >&2; echo >&2
done

echo "| server | launch -> first PONG, ms (each round) | median |"
echo "|---|---|---:|"
for who in "${launchers[@]/#/millrace:}" redis-server "${launchers[@]/#/millrace-restart:}"; do
  grep -F "$who " "$work/times" | cut -d' ' -f2- | tr ' ' '\n' | grep . >"$work/one" || continue
  echo "| ${who/$root/this checkout} (empty dir) | $(tr '\n' ' ' <"$work/one" | sed 's/ $//') | $(median <"$work/one") |" \
    | sed 's/millrace-restart:\(.*\) (empty dir)/\1, clean restart/; s/millrace://'
done
