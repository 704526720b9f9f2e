#!/usr/bin/env python3
"""Latency of XADD creating a stream, from one client, one command at a time.

    bench/new-streams.py PORT COUNT PREFIX [GAP_SECONDS]

XADDs COUNT new keys PREFIX:0 .. PREFIX:COUNT-1 (each creates a stream), GAP_SECONDS apart (0: back
to back), then the same keys again (XADD to an existing stream), and prints the median, p90, p99 and
max of each pass. Run it against Millrace and redis-server alike (docs/performance.md, thirteenth
session). A paced run measures a creation after idle, as an application creating a stream now and
then sees it; back to back, the logs Millrace makes ahead are used up at once.
"""
import socket
import sys
import time

port, count, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
gap = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
sock = socket.create_connection(("127.0.0.1", port))
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def command(*args):
    encoded = [a.encode() for a in args]
    sock.sendall(b"*%d\r\n" % len(encoded) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in encoded))
    reply = sock.recv(65536)
    if reply.startswith(b"-"):
        sys.exit("error reply: %r" % reply)


for kind in ("new", "existing"):
    times = []
    for i in range(count):
        if gap:
            time.sleep(gap)
        start = time.perf_counter()
        command("XADD", "%s:%d" % (prefix, i), "*", "f", "v")
        times.append(time.perf_counter() - start)
    times.sort()
    print("%s streams, %g ms apart: median %.3f ms p90 %.3f p99 %.3f max %.3f" % (
        kind, gap * 1e3, times[count // 2] * 1e3, times[count * 9 // 10] * 1e3,
        times[count * 99 // 100] * 1e3, times[-1] * 1e3))
