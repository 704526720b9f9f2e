package dev.millrace.engine.pubsub;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static dev.millrace.engine.pubsub.PubSubClient.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SUBSCRIBE and company between in-process clients, byte for byte as redis-server 7.0.15 writes them
 * (the frames were checked against it), in RESP2 and RESP3.
 */
class PubSubCommandsTest {
    private final EngineHarness h = new EngineHarness();

    private PubSubClient client(int protocol) {
        return new PubSubClient(h.engine, protocol);
    }

    private static String integer(long n) {
        return ":" + n + "\\r\\n";
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void subscribeConfirmsEachChannelWithTheCountOfChannelsAndPatterns(int protocol) {
        PubSubClient c = client(protocol);
        assertEquals(frame(protocol, "subscribe", "a", 1) + frame(protocol, "subscribe", "a", 1)
                + frame(protocol, "subscribe", "b", 2), c.run("SUBSCRIBE", "a", "a", "b"));
        assertEquals(frame(protocol, "psubscribe", "p*", 3), c.run("PSUBSCRIBE", "p*"));
        // Shard channels are counted apart.
        assertEquals(frame(protocol, "ssubscribe", "s", 1), c.run("SSUBSCRIBE", "s"));
        assertEquals(frame(protocol, "unsubscribe", "b", 2) + frame(protocol, "unsubscribe", "x", 2),
                c.run("UNSUBSCRIBE", "b", "x"));
        assertEquals(frame(protocol, "unsubscribe", "a", 1), c.run("UNSUBSCRIBE"));
        assertEquals(frame(protocol, "punsubscribe", "p*", 0), c.run("PUNSUBSCRIBE"));
        assertTrue(c.session.subscribed(), "still subscribed to a shard channel");
        assertEquals(frame(protocol, "sunsubscribe", "s", 0), c.run("SUNSUBSCRIBE"));
        assertFalse(c.session.subscribed());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void unsubscribingFromNothingStillAnswersOnceWithANullName(int protocol) {
        PubSubClient c = client(protocol);
        assertEquals(frame(protocol, "unsubscribe", null, 0), c.run("UNSUBSCRIBE"));
        assertEquals(frame(protocol, "punsubscribe", null, 0), c.run("PUNSUBSCRIBE"));
        assertEquals(frame(protocol, "sunsubscribe", null, 0), c.run("SUNSUBSCRIBE"));
        assertEquals(frame(protocol, "unsubscribe", "a", 0) + frame(protocol, "unsubscribe", "b", 0),
                c.run("UNSUBSCRIBE", "a", "b"));
        assertFalse(c.session.subscribed());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void aMessagePublishedOnOneConnectionReachesTheSubscribersOfAnotherInOrder(int protocol) {
        PubSubClient subscriber = client(protocol);
        PubSubClient publisher = client(2);
        subscriber.run("SUBSCRIBE", "news");
        for (int i = 0; i < 5; i++) {
            assertEquals(integer(1), publisher.run("PUBLISH", "news", "m" + i));
        }
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            expected.append(frame(protocol, "message", "news", "m" + i));
        }
        assertEquals(expected.toString(), subscriber.received());
        assertEquals(integer(0), publisher.run("PUBLISH", "other", "x"));
        assertEquals("", subscriber.received());
    }

    @Test
    void channelSubscribersHearFirstInSubscriptionOrderThenPatternSubscribers() {
        PubSubClient first = client(2);
        PubSubClient second = client(3);
        PubSubClient byPattern = client(2);
        PubSubClient publisher = client(2);
        second.run("SUBSCRIBE", "ch.1");
        byPattern.run("PSUBSCRIBE", "ch.*", "ch.[0-9]", "nomatch.*");
        first.run("SUBSCRIBE", "ch.1");
        first.run("PSUBSCRIBE", "ch.?");
        // Two channel subscribers, then ch.* (byPattern), ch.[0-9] (byPattern), ch.? (first).
        assertEquals(integer(5), publisher.run("PUBLISH", "ch.1", "hello"));
        assertEquals(frame(3, "message", "ch.1", "hello"), second.received());
        assertEquals(frame(2, "message", "ch.1", "hello") + frame(2, "pmessage", "ch.?", "ch.1", "hello"),
                first.received());
        assertEquals(frame(2, "pmessage", "ch.*", "ch.1", "hello") + frame(2, "pmessage", "ch.[0-9]", "ch.1", "hello"),
                byPattern.received());
        assertEquals(integer(1), publisher.run("PUBLISH", "ch.10", "x"), "only ch.* matches ch.10");
    }

    @Test
    void patternsAreRedisGlobs() {
        PubSubClient subscriber = client(2);
        PubSubClient publisher = client(2);
        subscriber.run("PSUBSCRIBE", "h[^e]llo", "a\\*b", "[a-c]x");
        subscriber.received();
        assertEquals(integer(0), publisher.run("PUBLISH", "hello", "m"));
        assertEquals(integer(1), publisher.run("PUBLISH", "hallo", "m"));
        assertEquals(integer(1), publisher.run("PUBLISH", "a*b", "m"));
        assertEquals(integer(0), publisher.run("PUBLISH", "aXb", "m"));
        assertEquals(integer(1), publisher.run("PUBLISH", "bx", "m"));
        assertEquals(frame(2, "pmessage", "h[^e]llo", "hallo", "m") + frame(2, "pmessage", "a\\*b", "a*b", "m")
                + frame(2, "pmessage", "[a-c]x", "bx", "m"), subscriber.received());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void shardChannelsAreANamespaceOfTheirOwnThatPatternsDoNotSee(int protocol) {
        PubSubClient shard = client(protocol);
        PubSubClient plain = client(protocol);
        PubSubClient publisher = client(2);
        shard.run("SSUBSCRIBE", "orders");
        plain.run("SUBSCRIBE", "orders");
        plain.run("PSUBSCRIBE", "*");
        shard.received();
        plain.received();
        assertEquals(integer(1), publisher.run("SPUBLISH", "orders", "o1"));
        assertEquals(frame(protocol, "smessage", "orders", "o1"), shard.received());
        assertEquals("", plain.received());
        assertEquals(integer(2), publisher.run("PUBLISH", "orders", "o2"));
        assertEquals("", shard.received());
        assertEquals(frame(protocol, "message", "orders", "o2") + frame(protocol, "pmessage", "*", "orders", "o2"),
                plain.received());
    }

    @Test
    void publishingToItselfInResp3SendsTheMessageBeforeTheReply() {
        PubSubClient c = client(3);
        c.run("SUBSCRIBE", "a");
        assertEquals(frame(3, "message", "a", "hi") + integer(1), c.run("PUBLISH", "a", "hi"));
    }

    @Test
    void aResp2SubscriberMayOnlyRunSubscriptionCommandsPingQuitAndReset() {
        PubSubClient c = client(2);
        c.run("SUBSCRIBE", "a");
        String only = "only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context";
        assertEquals("-ERR Can't execute 'get': " + only + "\\r\\n", c.run("GET", "x"));
        assertEquals("-ERR Can't execute 'pubsub|numsub': " + only + "\\r\\n", c.run("PUBSUB", "NUMSUB", "a"));
        assertEquals("-ERR Can't execute 'publish': " + only + "\\r\\n", c.run("PUBLISH", "a", "m"));
        // Unknown commands and wrong arities are refused first, as in Redis.
        assertEquals("-ERR wrong number of arguments for 'subscribe' command\\r\\n", c.run("SUBSCRIBE"));
        assertEquals("*2\\r\\n$4\\r\\npong\\r\\n$0\\r\\n\\r\\n", c.run("PING"));
        assertEquals("*2\\r\\n$4\\r\\npong\\r\\n$2\\r\\nhi\\r\\n", c.run("PING", "hi"));
        c.run("UNSUBSCRIBE");
        assertEquals("+PONG\\r\\n", c.run("PING"));
        assertEquals("$-1\\r\\n", c.run("GET", "x"));
    }

    @Test
    void aResp3SubscriberMayRunAnything() {
        PubSubClient c = client(3);
        c.run("SUBSCRIBE", "a");
        assertEquals("_\\r\\n", c.run("GET", "x"));
        assertEquals("+PONG\\r\\n", c.run("PING"));
        // Back to RESP2 with HELLO 2, it is restricted again.
        c.run("HELLO", "2");
        assertTrue(c.run("GET", "x").startsWith("-ERR Can't execute 'get'"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void resetDropsEverySubscriptionWithoutConfirmations(int protocol) {
        PubSubClient c = client(protocol);
        PubSubClient publisher = client(2);
        c.run("SUBSCRIBE", "a");
        c.run("PSUBSCRIBE", "a*");
        c.run("SSUBSCRIBE", "s");
        assertEquals("+RESET\\r\\n", c.run("RESET"));
        assertFalse(c.session.subscribed());
        assertEquals(2, c.session.protocol(), "RESET returns to RESP2");
        assertEquals(integer(0), publisher.run("PUBLISH", "a", "m"));
        assertEquals(integer(0), publisher.run("SPUBLISH", "s", "m"));
        assertEquals("*0\\r\\n", publisher.run("PUBSUB", "CHANNELS"));
        assertEquals(integer(0), publisher.run("PUBSUB", "NUMPAT"));
        assertEquals("$-1\\r\\n", c.run("GET", "x"));
    }

    @Test
    void aSubscriberThatDisconnectsIsForgotten() {
        PubSubClient gone = client(2);
        PubSubClient stays = client(2);
        PubSubClient publisher = client(2);
        gone.run("SUBSCRIBE", "a");
        gone.run("PSUBSCRIBE", "*");
        stays.run("SUBSCRIBE", "a");
        h.engine.disconnect(gone.session);
        assertEquals(integer(1), publisher.run("PUBLISH", "a", "m"));
        assertEquals("*2\\r\\n$1\\r\\na\\r\\n:1\\r\\n", publisher.run("PUBSUB", "NUMSUB", "a"));
        assertEquals(integer(0), publisher.run("PUBSUB", "NUMPAT"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void pubsubIntrospection(int protocol) {
        PubSubClient a = client(2);
        PubSubClient b = client(2);
        PubSubClient asker = client(protocol);
        a.run("SUBSCRIBE", "news.uk", "news.fr", "sport");
        b.run("SUBSCRIBE", "news.uk");
        a.run("PSUBSCRIBE", "news.*", "x?");
        b.run("PSUBSCRIBE", "news.*");
        a.run("SSUBSCRIBE", "s1", "s2");
        assertEquals("*3\\r\\n$7\\r\\nnews.uk\\r\\n$7\\r\\nnews.fr\\r\\n$5\\r\\nsport\\r\\n", asker.run("PUBSUB", "CHANNELS"));
        assertEquals("*2\\r\\n$7\\r\\nnews.uk\\r\\n$7\\r\\nnews.fr\\r\\n", asker.run("PUBSUB", "CHANNELS", "news.*"));
        assertEquals("*6\\r\\n$7\\r\\nnews.uk\\r\\n:2\\r\\n$5\\r\\nsport\\r\\n:1\\r\\n$4\\r\\nnone\\r\\n:0\\r\\n",
                asker.run("PUBSUB", "NUMSUB", "news.uk", "sport", "none"));
        assertEquals("*0\\r\\n", asker.run("PUBSUB", "NUMSUB"));
        assertEquals(integer(2), asker.run("PUBSUB", "NUMPAT"), "distinct patterns");
        assertEquals("*1\\r\\n$2\\r\\ns2\\r\\n", asker.run("PUBSUB", "SHARDCHANNELS", "*2"));
        assertEquals("*4\\r\\n$2\\r\\ns1\\r\\n:1\\r\\n$7\\r\\nnews.uk\\r\\n:0\\r\\n",
                asker.run("PUBSUB", "SHARDNUMSUB", "s1", "news.uk"));
        assertEquals("-ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB HELP.\\r\\n",
                asker.run("PUBSUB", "channels", "a", "b"));
        assertTrue(asker.run("PUBSUB", "HELP").startsWith("*14\\r\\n+PUBSUB <subcommand>"));
    }

    @Test
    void infoAndClientListShowTheSubscriptions() {
        PubSubClient c = client(2);
        c.run("SUBSCRIBE", "a", "b");
        c.run("PSUBSCRIBE", "p*");
        c.run("SSUBSCRIBE", "s");
        String info = (String) h.run("INFO", "stats");
        assertTrue(info.contains("\r\npubsub_channels:2\r\npubsub_patterns:1\r\npubsubshard_channels:1\r\n"), info);
        String list = (String) h.run("CLIENT", "LIST", "TYPE", "pubsub");
        assertTrue(list.startsWith("id=" + c.session.id() + " "), list);
        assertTrue(list.contains(" flags=P db=0 sub=2 psub=1 ssub=1 multi=-1 "), list);
        assertEquals(1, list.split("\n").length, "the harness's own client is of type normal");
        String normal = (String) h.run("CLIENT", "LIST", "TYPE", "normal");
        assertFalse(normal.contains("id=" + c.session.id() + " "), normal);
    }

    @Test
    void clientKillTypePubsubClosesTheSubscribersAndForgetsThem() {
        PubSubClient subscriber = client(2);
        PubSubClient other = client(2);
        subscriber.run("SUBSCRIBE", "a");
        assertEquals(1L, h.run("CLIENT", "KILL", "TYPE", "pubsub"));
        assertEquals(0L, h.run("PUBLISH", "a", "m"));
        assertEquals(0L, h.run("CLIENT", "KILL", "TYPE", "pubsub"));
        assertEquals("+PONG\\r\\n", other.run("PING"));
    }

    @Test
    void theEngineApiPublishesAndCountsReceivers() {
        PubSubClient c = client(3);
        c.run("PSUBSCRIBE", "__keyspace@0__:*");
        byte[] channel = "__keyspace@0__:k".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(1, h.engine.pubsub().publish(channel, "set".getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(frame(3, "pmessage", "__keyspace@0__:*", "__keyspace@0__:k", "set"), c.received());
        h.engine.pubsub().sendMessage(c.session, "__redis__:invalidate".getBytes(StandardCharsets.ISO_8859_1),
                "k".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(frame(3, "message", "__redis__:invalidate", "k"), c.received());
    }

    @Test
    void publishChangesNoKeyAndLogsNothing() {
        client(2).run("SUBSCRIBE", "a");
        assertEquals(1L, h.run("PUBLISH", "a", "m"));
        assertEquals(0L, h.run("SPUBLISH", "a", "m"));
        assertTrue(h.effects().isEmpty(), h.effects().toString());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void confirmationsAndMessagesReachAClientWhoseRepliesAreOffOrSkipped(int protocol) {
        PubSubClient c = client(protocol);
        assertEquals("", c.run("CLIENT", "REPLY", "OFF"));
        assertEquals(frame(protocol, "subscribe", "a", 1), c.run("SUBSCRIBE", "a"));
        assertEquals(1L, h.run("PUBLISH", "a", "m"));
        assertEquals(frame(protocol, "message", "a", "m"), c.received());
        assertEquals(frame(protocol, "unsubscribe", "a", 0), c.run("UNSUBSCRIBE"));
        assertEquals("+OK\\r\\n", c.run("CLIENT", "REPLY", "ON"));
        assertEquals("", c.run("CLIENT", "REPLY", "SKIP"));
        assertEquals(frame(protocol, "subscribe", "b", 1), c.run("SUBSCRIBE", "b"));
        assertEquals(protocol == 2 ? "*2\\r\\n$4\\r\\npong\\r\\n$0\\r\\n\\r\\n" : "+PONG\\r\\n", c.run("PING"));
    }
}
