package dev.millrace.protocol.server;

import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XTrimArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XAutoClaimParams;
import redis.clients.jedis.params.XClaimParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamPendingSummary;
import redis.clients.jedis.resps.StreamEntry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streams through real clients: Jedis (RESP2) appends pipelined, ranges and trims, and splits work
 * in a consumer group (XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO GROUPS); Lettuce (RESP3)
 * reads with XREAD and XREADGROUP, blocking until another connection's XADD.
 */
class StreamIT extends ClientsFixture {
    @Test
    void jedisAppendsRangesAndTrims() {
        try (Jedis jedis = jedis()) {
            Pipeline pipeline = jedis.pipelined();
            for (int i = 1; i <= 1000; i++) {
                pipeline.xadd("jedis:s", new StreamEntryID(i, 0), Map.of("n", Integer.toString(i)));
            }
            pipeline.sync();
            assertEquals(1000, jedis.xlen("jedis:s"));
            List<StreamEntry> range = jedis.xrange("jedis:s", new StreamEntryID(10, 0), new StreamEntryID(12, 0));
            assertEquals(3, range.size());
            assertEquals("11", range.get(1).getFields().get("n"));
            List<StreamEntry> last = jedis.xrevrange("jedis:s", (StreamEntryID) null, null, 2);
            assertEquals(new StreamEntryID(1000, 0), last.get(0).getID());
            assertEquals(2, jedis.xdel("jedis:s", new StreamEntryID(1, 0), new StreamEntryID(2, 0)));
            assertEquals(898, jedis.xtrim("jedis:s", 100, false));
            assertEquals(100, jedis.xlen("jedis:s"));
            StreamEntryID auto = jedis.xadd("jedis:s", XAddParams.xAddParams().maxLen(10), Map.of("n", "auto"));
            assertTrue(auto.getTime() >= 1000);
            assertEquals(10, jedis.xlen("jedis:s"));
            List<Map.Entry<String, List<StreamEntry>>> read = jedis.xread(XReadParams.xReadParams().count(2),
                    Map.of("jedis:s", new StreamEntryID(0, 0)));
            assertEquals(2, read.get(0).getValue().size());
        }
    }

    @Test
    void jedisConsumerGroupsSplitWorkAndRecoverStuckEntries() {
        try (Jedis jedis = jedis()) {
            for (int i = 1; i <= 10; i++) {
                jedis.xadd("jedis:jobs", new StreamEntryID(i, 0), Map.of("job", Integer.toString(i)));
            }
            assertEquals("OK", jedis.xgroupCreate("jedis:jobs", "workers", new StreamEntryID(0, 0), false));
            List<Map.Entry<String, List<StreamEntry>>> a = jedis.xreadGroup("workers", "a",
                    XReadGroupParams.xReadGroupParams().count(4), Map.of("jedis:jobs", StreamEntryID.UNRECEIVED_ENTRY));
            List<Map.Entry<String, List<StreamEntry>>> b = jedis.xreadGroup("workers", "b",
                    XReadGroupParams.xReadGroupParams().count(4), Map.of("jedis:jobs", StreamEntryID.UNRECEIVED_ENTRY));
            assertEquals(new StreamEntryID(1, 0), a.get(0).getValue().get(0).getID());
            assertEquals(new StreamEntryID(5, 0), b.get(0).getValue().get(0).getID());
            assertEquals(3, jedis.xack("jedis:jobs", "workers", new StreamEntryID(1, 0), new StreamEntryID(2, 0),
                    new StreamEntryID(3, 0)));
            StreamPendingSummary summary = jedis.xpending("jedis:jobs", "workers");
            assertEquals(5, summary.getTotal());
            assertEquals(Map.of("a", 1L, "b", 4L), summary.getConsumerMessageCount());
            // Consumer a died: b takes its entry over.
            List<StreamEntry> claimed = jedis.xclaim("jedis:jobs", "workers", "b", 0,
                    XClaimParams.xClaimParams(), new StreamEntryID(4, 0));
            assertEquals("4", claimed.get(0).getFields().get("job"));
            Map.Entry<StreamEntryID, List<StreamEntry>> auto = jedis.xautoclaim("jedis:jobs", "workers", "c", 0,
                    new StreamEntryID(0, 0), XAutoClaimParams.xAutoClaimParams().count(10));
            assertEquals(5, auto.getValue().size());
            assertEquals(1, jedis.xinfoGroups("jedis:jobs").size());
            assertEquals(5L, jedis.xinfoGroups("jedis:jobs").get(0).getPending());
        }
    }

    @Test
    void lettuceReadsAndBlocksOverResp3() throws Exception {
        try (StatefulRedisConnection<String, String> writer = lettuce.connect();
             StatefulRedisConnection<String, String> reader = lettuce.connect()) {
            RedisCommands<String, String> sync = writer.sync();
            assertEquals("1-1", sync.xadd("lettuce:s", new XAddArgs().id("1-1"), Map.of("f", "v")));
            List<StreamMessage<String, String>> all = sync.xrange("lettuce:s", Range.create("-", "+"));
            assertEquals(List.of(new StreamMessage<>("lettuce:s", "1-1", Map.of("f", "v"))), all);

            CompletableFuture<List<StreamMessage<String, String>>> blocked = reader.async()
                    .xread(XReadArgs.Builder.block(10_000), XReadArgs.StreamOffset.latest("lettuce:s"))
                    .toCompletableFuture();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> sync.info("clients").contains("blocked_clients:1"));
            sync.xadd("lettuce:s", new XAddArgs().id("2-0"), Map.of("f", "w"));
            List<StreamMessage<String, String>> got = blocked.get(5, TimeUnit.SECONDS);
            assertEquals(List.of(new StreamMessage<>("lettuce:s", "2-0", Map.of("f", "w"))), got);
            assertEquals(1L, sync.xtrim("lettuce:s", XTrimArgs.Builder.minId("2-0")));

            // A consumer group over RESP3: XREADGROUP blocked until another connection adds.
            assertEquals("OK", sync.xgroupCreate(XReadArgs.StreamOffset.from("lettuce:s", "$"), "g"));
            CompletableFuture<List<StreamMessage<String, String>>> waiting = reader.async()
                    .xreadgroup(io.lettuce.core.Consumer.from("g", "c1"), XReadArgs.Builder.block(10_000),
                            XReadArgs.StreamOffset.lastConsumed("lettuce:s"))
                    .toCompletableFuture();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> sync.info("clients").contains("blocked_clients:1"));
            sync.xadd("lettuce:s", new XAddArgs().id("3-0"), Map.of("f", "x"));
            assertEquals("3-0", waiting.get(5, TimeUnit.SECONDS).get(0).getId());
            assertEquals(1L, sync.xack("lettuce:s", "g", "3-0"));
            assertEquals(0L, sync.xpending("lettuce:s", "g").getCount());
        }
    }
}
