package dev.millrace.protocol.server;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XTrimArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamEntry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streams through real clients: Jedis (RESP2) appends pipelined, ranges and trims; Lettuce (RESP3)
 * reads with XREAD, including a blocking XREAD woken by another connection's XADD.
 */
class StreamIT {
    private static TestServer server;
    private static RedisClient client;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        client = RedisClient.create(RedisURI.create("127.0.0.1", server.port()));
        client.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP3).build());
    }

    @AfterAll
    static void stop() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        server.close();
    }

    @Test
    void jedisAppendsRangesAndTrims() {
        try (Jedis jedis = new Jedis("127.0.0.1", server.port(), 10_000)) {
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
    void lettuceReadsAndBlocksOverResp3() throws Exception {
        try (StatefulRedisConnection<String, String> writer = client.connect();
             StatefulRedisConnection<String, String> reader = client.connect()) {
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
        }
    }
}
