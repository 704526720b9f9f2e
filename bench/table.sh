#!/usr/bin/env bash
# Issue 6's benchmark table in one command: redis-benchmark against Millrace and a real redis-server
# on this machine, in the same run, alternating, and a markdown table on stdout with both servers'
# figures, the ratio, the issue's target and whether it is met. Progress goes to stderr.
#
#   bench/table.sh > table.md                                  the full table (36 minutes on an idle machine)
#   REQUESTS=20000 ROUNDS=1 CONFIGS=off bench/table.sh         a quick smoke run
#
# Environment: REQUESTS (default 500000) and CLIENTS (50) per redis-benchmark run; ROUNDS (3) runs
# per row and server, the median kept; PIPELINES ("1 32"); WARMUP (1: every spec runs once on both
# servers, unmeasured, after each start, with WARMUP_REQUESTS requests, default REQUESTS); CONFIGS
# ("off everysec always": which server configurations to run, see below); REDIS_PORT, MILLRACE_PORT
# (7479, 7480).
#
# Rows, each configuration on freshly started servers (both with the same options):
#   off       appendonly no: PING_MBULK, SET, GET, INCR, MSET, LPUSH, RPOP, SADD, HSET, ZADD,
#             ZPOPMIN, LRANGE_100, XADD s * f v; SET/GET with -d 1024 and with -r 1000000; at each
#             pipeline, requests/s, target ratio >= 1.0. Then the p99 latency of SET, GET and XADD
#             at -P 1 from those same runs, target Millrace/Redis <= 1.2.
#   everysec  appendonly yes, appendfsync everysec: SET and XADD requests/s, target >= 1.0.
#   always    appendonly yes, appendfsync always: SET and XADD requests/s, target >= 1.0.
# Tests that need another's data run in one redis-benchmark run (-t lpush,rpop; -t zadd,zpopmin;
# -t set,get), which runs them in its own fixed order, on a keyspace emptied before every run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
CLIENTS=${CLIENTS:-50}
REQUESTS=${REQUESTS:-500000}
ROUNDS=${ROUNDS:-3}
PIPELINES=${PIPELINES:-"1 32"}
WARMUP=${WARMUP:-1}
CONFIGS=${CONFIGS:-"off everysec always"}
REDIS_PORT=${REDIS_PORT:-7479}
MILLRACE_PORT=${MILLRACE_PORT:-7480}

source "$root/bench/lib.sh"
require_redis_tools

throughput_specs() { # config -> redis-benchmark args, one run per line
  case "$1" in
    off) printf '%s\n' '-t ping_mbulk' '-t set,get' '-t incr' '-t mset' '-t lpush,rpop' '-t sadd' \
      '-t hset' '-t zadd,zpopmin' '-t lrange_100' 'XADD s * f v' '-t set,get -d 1024' \
      '-t set,get -r 1000000' ;;
    *) printf '%s\n' '-t set' 'XADD s * f v' ;;
  esac
}

server_options() { # config -> the options both servers start with
  case "$1" in
    off) echo "--appendonly no" ;;
    everysec | always) echo "--appendonly yes --appendfsync $1" ;;
    *) echo "unknown configuration '$1' in CONFIGS (off, everysec, always)" >&2; exit 1 ;;
  esac
}

# Measures every configuration; results "config|pipeline|args|name|m rps|r rps|m p99|r p99|m cpu|r cpu".
results=$work/results
: >"$results"
for config in $CONFIGS; do server_options "$config" >/dev/null; done  # a typo fails before any run
for config in $CONFIGS; do
  read -r -a options <<<"$(server_options "$config")"
  progress "starting both servers with ${options[*]}"
  start_redis "$work/$config/redis" "${options[@]}"
  start_millrace "$work/$config/millrace" "${options[@]}"
  for p in $PIPELINES; do
    throughput_specs "$config" | sed "s/^/$p|/"
  done | bench_compare | sed "s/^/$config|/" >>"$results"
  stop_servers
  rm -rf "${work:?}/$config"
done

# The table: rows in the order measured, the -P 1 latency rows after the off runs they come from.
echo "redis-benchmark -c $CLIENTS -n $REQUESTS, median of $ROUNDS alternating runs per row, $(nproc) cores," \
  "$(redis-server --version | grep -o 'v=[0-9.]*'), Millrace $(git -C "$root" rev-parse --short HEAD)," \
  "$(date -u +'%Y-%m-%d %H:%M UTC')"
echo
echo "Server CPU: all of the server's threads, ns per request of the run (shared by the tests of one"
echo "run, e.g. SET and GET): each server's own cost. At -P 32 redis-benchmark takes nearly one core of"
echo "$(nproc), so requests/s there also show how the cores were shared."
echo
echo '| test | P | options | Millrace | Redis | ratio | target | met? | server CPU ns/request, Millrace / Redis |'
echo '|---|---:|---|---:|---:|---:|---|---|---|'
awk -F'|' '
  function config_text(c) {
    return c == "off" ? "appendonly no" : "appendonly yes, appendfsync " c
  }
  function row(test, p, opts, m, r, unit, ratio_target, ratio_max, cpu,    ratio, met) {
    ratio = r > 0 ? m / r : 0
    met = ratio_max ? ratio <= ratio_target : ratio >= ratio_target
    printf "| %s | %s | %s | %s | %s | %.2f | %s %.1f | %s | %s |\n", test, p, opts,
      sprintf(unit, m), sprintf(unit, r), ratio, ratio_max ? "<=" : ">=", ratio_target, met ? "yes" : "no", cpu
  }
  function latency_rows(    i, f) {
    for (i = 1; i <= n; i++) {
      split(latency[i], f, "|")
      row(f[1] " p99", 1, f[2], f[3], f[4], "%.3f ms", 1.2, 1, f[5])
    }
    n = 0
  }
  {
    config = $1; p = $2; args = $3; name = $4
    if (config != "off") latency_rows()
    test = name == "XADD" ? "XADD s * f v" : name
    opts = args; sub(/^-t [^ ]*/, "", opts); sub(/^XADD s \* f v/, "", opts); sub(/^ /, "", opts)
    opts = (opts == "" ? "" : opts ", ") config_text(config)
    cpu = sprintf("%.0f / %.0f", $9, $10)
    row(test, p, opts, $5, $6, "%.0f req/s", 1.0, 0, cpu)
    if (config == "off" && p == 1 && (args == "-t set,get" || name == "XADD")) {
      latency[++n] = test "|" opts "|" $7 "|" $8 "|" cpu
    }
  }
  END { latency_rows() }' "$results"
