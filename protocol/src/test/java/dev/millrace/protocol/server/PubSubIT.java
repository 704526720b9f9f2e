package dev.millrace.protocol.server;

import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pub/sub through real clients: a subscriber on one connection receives, in order, what another
 * publishes, with Jedis (RESP2, its JedisPubSub listener) and Lettuce (RESP3 push frames, and ordinary
 * commands on the subscribed connection). Waits use Awaitility on what the listeners collected or on
 * PUBSUB NUMSUB.
 */
class PubSubIT extends ClientsFixture {
    private static final int MESSAGES = 1000;

    @BeforeEach
    void nobodyIsSubscribed() {
        await().atMost(10, TimeUnit.SECONDS).until(() -> control.pubsubChannels().isEmpty() && control.pubsubNumPat() == 0);
    }

    private static void awaitSubscribers(String channel, long count) {
        await().atMost(10, TimeUnit.SECONDS).until(() -> control.pubsubNumSub(channel).get(channel) == count);
    }

    private static List<String> numbered(String prefix) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    @Test
    void jedisSubscriberReceivesInOrderWhatAnotherConnectionPublishes() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onMessage(String channel, String message) {
                received.add(channel + ":" + message);
            }

            @Override
            public void onPMessage(String pattern, String channel, String message) {
                received.add(pattern + ">" + channel + ":" + message);
            }
        };
        Thread subscriberThread = new Thread(() -> {
            try (Jedis subscriber = jedis()) {
                subscriber.subscribe(listener, "chat");
            }
        });
        subscriberThread.start();
        awaitSubscribers("chat", 1);
        listener.psubscribe("ch*");
        await().atMost(10, TimeUnit.SECONDS).until(() -> control.pubsubNumPat() == 1);

        List<String> expected = new ArrayList<>();
        try (Jedis publisher = jedis()) {
            Pipeline pipeline = publisher.pipelined();
            for (String message : numbered("m")) {
                pipeline.publish("chat", message);
                expected.add("chat:" + message);
                expected.add("ch*>chat:" + message);
            }
            List<Object> counts = pipeline.syncAndReturnAll();
            counts.forEach(count -> assertEquals(2L, count, "a channel and a pattern subscription"));
        }
        await().atMost(20, TimeUnit.SECONDS).until(() -> received.size() == expected.size());
        assertEquals(expected, received);

        listener.unsubscribe();
        listener.punsubscribe();
        subscriberThread.join(10_000);
        assertEquals(0L, control.pubsubNumSub("chat").get("chat"));
    }

    @Test
    void lettuceResp3SubscriberGetsPushFramesAndMayRunCommandsMeanwhile() {
        try (StatefulRedisPubSubConnection<String, String> connection = lettuce.connectPubSub()) {
            List<String> received = new CopyOnWriteArrayList<>();
            connection.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    received.add(channel + ":" + message);
                }

                @Override
                public void message(String pattern, String channel, String message) {
                    received.add(pattern + ">" + channel + ":" + message);
                }

                @Override
                public void smessage(String shardChannel, String message) {
                    received.add("shard " + shardChannel + ":" + message);
                }
            });
            connection.sync().subscribe("news");
            connection.sync().psubscribe("n?ws");
            connection.sync().ssubscribe("orders");
            // RESP3: a subscribed connection still runs ordinary commands.
            connection.sync().set("k", "v");
            assertEquals("v", connection.sync().get("k"));

            List<String> expected = new ArrayList<>();
            try (Jedis publisher = jedis()) {
                for (String message : numbered("n")) {
                    assertEquals(2L, publisher.publish("news", message));
                    expected.add("news:" + message);
                    expected.add("n?ws>news:" + message);
                }
                assertEquals(1L, publisher.sendCommand(() -> redis.clients.jedis.util.SafeEncoder.encode("SPUBLISH"), "orders", "o1"));
                expected.add("shard orders:o1");
            }
            await().atMost(20, TimeUnit.SECONDS).until(() -> received.size() == expected.size());
            assertEquals(expected, received);
            connection.sync().unsubscribe("news");
            connection.sync().punsubscribe("n?ws");
            connection.sync().sunsubscribe("orders");
        }
        control.del("k");
    }
}
