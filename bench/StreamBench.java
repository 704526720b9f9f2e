import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamEntry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Stream measurements bench/streams.sh runs against Millrace and redis-server (a single-file
 * program: {@code java -cp <jedis and its dependencies> bench/StreamBench.java <mode> ...}).
 *
 * <pre>
 *   consume PORT KEY [MAX]         XREAD COUNT 1000 from the start to the end (or MAX entries): entries/s
 *   consume-group PORT KEY         XREADGROUP GROUP g c COUNT 1000 '>' (group created at 0): entries/s
 *   latency PORT KEY N             XADD -> blocked XREAD on another connection, N times: p50/p99 us
 *   latency-group PORT KEY N       the same with a blocked XREADGROUP GROUP g c BLOCK 0 '>' (then XACK)
 * </pre>
 */
public class StreamBench {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        String key = args[2];
        switch (args[0]) {
            case "consume" -> consume(port, key, args.length > 3 ? Long.parseLong(args[3]) : Long.MAX_VALUE);
            case "consume-group" -> consumeGroup(port, key);
            case "latency" -> latency(port, key, Integer.parseInt(args[3]), false);
            case "latency-group" -> latency(port, key, Integer.parseInt(args[3]), true);
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static void consume(int port, String key, long max) {
        try (Jedis jedis = new Jedis("127.0.0.1", port, 60_000)) {
            StreamEntryID after = new StreamEntryID(0, 0);
            long read = 0;
            long started = System.nanoTime();
            while (read < max) {
                List<Map.Entry<String, List<StreamEntry>>> reply =
                        jedis.xread(XReadParams.xReadParams().count(1000), Map.of(key, after));
                if (reply == null || reply.isEmpty() || reply.get(0).getValue().isEmpty()) {
                    break;
                }
                List<StreamEntry> entries = reply.get(0).getValue();
                read += entries.size();
                after = entries.get(entries.size() - 1).getID();
            }
            report("XREAD COUNT 1000", read, System.nanoTime() - started);
        }
    }

    private static void consumeGroup(int port, String key) {
        try (Jedis jedis = new Jedis("127.0.0.1", port, 60_000)) {
            jedis.xgroupCreate(key, "bench", new StreamEntryID(0, 0), false);
            long read = 0;
            long started = System.nanoTime();
            while (true) {
                List<Map.Entry<String, List<StreamEntry>>> reply = jedis.xreadGroup("bench", "c",
                        XReadGroupParams.xReadGroupParams().count(1000).noAck(),
                        Map.of(key, StreamEntryID.UNRECEIVED_ENTRY));
                if (reply == null || reply.isEmpty() || reply.get(0).getValue().isEmpty()) {
                    break;
                }
                read += reply.get(0).getValue().size();
            }
            report("XREADGROUP COUNT 1000 NOACK", read, System.nanoTime() - started);
        }
    }

    private static void report(String what, long entries, long nanos) {
        System.out.printf("%s: %d entries in %.2f s = %.0f entries/s%n", what, entries, nanos / 1e9, entries / (nanos / 1e9));
    }

    /**
     * One XADD at a time, its send time (this JVM's nanoTime) in the entry; a reader thread on another
     * connection loops on XREAD BLOCK and times each entry on arrival. The producer waits for the
     * reader between entries, then a moment for it to block again.
     */
    private static void latency(int port, String key, int n, boolean group) throws Exception {
        List<Long> micros = Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.Semaphore received = new java.util.concurrent.Semaphore(0);
        try (Jedis producer = new Jedis("127.0.0.1", port, 60_000);
             Jedis consumer = new Jedis("127.0.0.1", port, 60_000)) {
            producer.del(key);
            StreamEntryID start = producer.xadd(key, StreamEntryID.NEW_ENTRY, Map.of("t", "0"));
            if (group) {
                producer.xgroupCreate(key, "g", start, false);
            }
            int total = n + 100;
            Thread reader = new Thread(() -> {
                StreamEntryID after = start;
                for (int got = 0; got < total; ) {
                    List<Map.Entry<String, List<StreamEntry>>> reply = group
                            ? consumer.xreadGroup("g", "c", XReadGroupParams.xReadGroupParams().block(0).count(1),
                                    Map.of(key, StreamEntryID.UNRECEIVED_ENTRY))
                            : consumer.xread(XReadParams.xReadParams().block(0).count(1), Map.of(key, after));
                    long at = System.nanoTime();
                    for (StreamEntry e : reply.get(0).getValue()) {
                        micros.add((at - Long.parseLong(e.getFields().get("t"))) / 1000);
                        after = e.getID();
                        got++;
                        if (group) {
                            consumer.xack(key, "g", after);
                        }
                        received.release();
                    }
                }
            });
            reader.start();
            for (int i = 0; i < total; i++) {
                java.util.concurrent.locks.LockSupport.parkNanos(300_000);
                producer.xadd(key, StreamEntryID.NEW_ENTRY, Map.of("t", Long.toString(System.nanoTime())));
                received.acquire();
            }
            reader.join();
        }
        List<Long> sorted = new ArrayList<>(micros.subList(100, micros.size()));
        Collections.sort(sorted);
        System.out.printf("XADD -> blocked %s: n=%d p50=%d us p99=%d us max=%d us%n", group ? "XREADGROUP" : "XREAD", sorted.size(),
                sorted.get(sorted.size() / 2), sorted.get((int) (sorted.size() * 0.99)), sorted.get(sorted.size() - 1));
    }
}
