#!/usr/bin/env bash
# What one request costs a running Millrace server, steadier than requests/s on a shared machine:
# CPU ns per request of its execution thread and of all its threads (/proc/<pid>/task/*/schedstat),
# and the execution thread's page faults per 1,000 requests, over one redis-benchmark run.
#
#   bench/cost.sh <port> <redis-benchmark args...>
#   bench/cost.sh 7480 -c 50 -n 1000000 -P 32 -t set
#
# With PERF=<seconds>, it also profiles the execution thread with perf for that long while the same
# load runs (Java frames named through the JIT's symbol map: jcmd Compiler.perfmap) and prints the
# top symbols; the kernel's share (system calls, faults) shows too. Warm the server up first: the
# first million requests after a start pay for the JIT and for first touches of memory.
set -euo pipefail
port=$1; shift
pid=$(pgrep -f "server.Main --port $port" | head -1)
[ -n "$pid" ] || { echo "no Millrace server on port $port" >&2; exit 1; }
tid=$(basename "$(dirname "$(grep -l '^millrace-main' /proc/"$pid"/task/*/comm | head -1)")")
all_ns() { cat /proc/"$pid"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f", s}'; }
n=$(printf '%s\n' "$@" | awk 'prev == "-n" {print; exit} {prev = $0}')
n=${n:-100000}

if [ -n "${PERF:-}" ]; then
  out=$(mktemp)
  redis-benchmark -p "$port" -q "$@" >/dev/null 2>&1 &
  load=$!
  perf record -F 2000 -t "$tid" -o "$out" -- sleep "$PERF" >/dev/null 2>&1
  jcmd "$pid" Compiler.perfmap >/dev/null
  wait "$load" || true
  perf report -i "$out" --no-children --sort sym 2>/dev/null | grep -v '^#' | grep -v '^$' | head -"${TOP:-40}"
  rm -f "$out"
  exit 0
fi

a=$(all_ns); m=$(awk '{print $1}' /proc/"$pid"/task/"$tid"/schedstat); f=$(awk '{print $10}' /proc/"$pid"/task/"$tid"/stat)
rps=$(redis-benchmark -p "$port" --csv "$@" 2>/dev/null | awk -F'"' 'NR == 2 {print $4}')
b=$(all_ns); m2=$(awk '{print $1}' /proc/"$pid"/task/"$tid"/schedstat); f2=$(awk '{print $10}' /proc/"$pid"/task/"$tid"/stat)
awk -v a="$a" -v b="$b" -v m="$m" -v m2="$m2" -v f="$f" -v f2="$f2" -v n="$n" -v r="$rps" 'BEGIN {
  printf "execution thread %.0f ns/request, all threads %.0f ns/request, %.2f faults per 1000 requests, %.0f requests/s\n",
    (m2 - m) / n, (b - a) / n, (f2 - f) * 1000 / n, r }'
