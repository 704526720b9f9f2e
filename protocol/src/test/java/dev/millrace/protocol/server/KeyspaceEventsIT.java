package dev.millrace.protocol.server;

import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.push.PushMessage;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Keyspace notifications and client-side caching through real clients: a Jedis pattern subscriber
 * hears the events another connection's writes (and a key's expiry) cause, in Redis's order; a Lettuce
 * RESP3 client with CLIENT TRACKING gets an invalidation push when another connection changes a key it
 * read.
 */
class KeyspaceEventsIT extends ClientsFixture {
    @Test
    void aPatternSubscriberHearsEveryEventOfAnotherConnectionsWritesInOrder() throws Exception {
        control.configSet("notify-keyspace-events", "KEA");
        List<String> heard = new CopyOnWriteArrayList<>();
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onPMessage(String pattern, String channel, String message) {
                heard.add(channel + " " + message);
            }
        };
        Thread subscriber = new Thread(() -> {
            try (Jedis jedis = jedis()) {
                jedis.psubscribe(listener, "__key*@0__:*");
            }
        });
        subscriber.start();
        await().atMost(10, TimeUnit.SECONDS).until(() -> control.pubsubNumPat() == 1);
        try (Jedis writer = jedis()) {
            writer.set("k", "v");
            writer.lpush("list", "a", "b");
            writer.rename("k", "k2");
            writer.psetex("short", 50, "v");
            writer.del("list");
            await().atMost(10, TimeUnit.SECONDS).until(() -> writer.get("short") == null);
        }
        List<String> expected = List.of(
                "__keyspace@0__:k set", "__keyevent@0__:set k",
                "__keyspace@0__:list lpush", "__keyevent@0__:lpush list",
                "__keyspace@0__:k rename_from", "__keyevent@0__:rename_from k",
                "__keyspace@0__:k2 rename_to", "__keyevent@0__:rename_to k2",
                "__keyspace@0__:short set", "__keyevent@0__:set short",
                "__keyspace@0__:short expire", "__keyevent@0__:expire short",
                "__keyspace@0__:list del", "__keyevent@0__:del list",
                "__keyspace@0__:short expired", "__keyevent@0__:expired short");
        await().atMost(10, TimeUnit.SECONDS).until(() -> heard.size() >= expected.size());
        // GETs of a missing key before it expired, or after, publish keymiss (class m is in A)
        List<String> withoutMisses = new ArrayList<>(heard);
        withoutMisses.removeIf(line -> line.contains("keymiss"));
        assertEquals(expected, withoutMisses.subList(0, expected.size()));
        listener.punsubscribe();
        subscriber.join(10_000);
        control.configSet("notify-keyspace-events", "");
    }

    @Test
    void aTrackingClientIsToldWhenAnotherConnectionChangesAKeyItRead() {
        try (StatefulRedisConnection<String, String> tracking = lettuce.connect()) {
            List<List<String>> invalidated = new CopyOnWriteArrayList<>();
            tracking.addListener((PushMessage message) -> {
                if (message.getType().equals("invalidate")) {
                    List<String> keys = new ArrayList<>();
                    for (Object key : (List<?>) message.getContent().get(1)) {
                        keys.add(StandardCharsets.UTF_8.decode((ByteBuffer) key).toString());
                    }
                    invalidated.add(keys);
                }
            });
            control.set("cached", "1");
            tracking.sync().clientTracking(TrackingArgs.Builder.enabled());
            assertEquals("1", tracking.sync().get("cached"));
            control.set("cached", "2");
            await().atMost(10, TimeUnit.SECONDS).until(() -> invalidated.size() == 1);
            assertEquals(List.of("cached"), invalidated.get(0));
            // the key is not tracked any more until read again: another write says nothing
            control.set("cached", "3");
            assertEquals("3", tracking.sync().get("cached"));
            control.del("cached");
            await().atMost(10, TimeUnit.SECONDS).until(() -> invalidated.size() == 2);
            assertEquals(List.of("cached"), invalidated.get(1));
        }
    }
}
