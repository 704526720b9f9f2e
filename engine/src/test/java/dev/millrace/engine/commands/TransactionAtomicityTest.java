package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.client.Connection;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.effect.Effect;
import dev.millrace.engine.effect.EffectLog;
import dev.millrace.engine.keyspace.MemoryKeyStore;
import dev.millrace.engine.persistence.Snapshots;
import dev.millrace.engine.testing.EngineHarness;
import dev.millrace.engine.testing.ReplyCapture;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What makes EXEC atomic beyond running its commands back to back: its effects form one log record
 * (with those of the blocked clients it serves), which replays to the same data; blocked clients are
 * served only after the whole transaction; and its commands share one time, so no key expires halfway.
 */
class TransactionAtomicityTest {
    private final EngineHarness h = new EngineHarness();

    private static List<Object> list(Object... elements) {
        return Arrays.asList(elements);
    }

    private OtherClient blocked(String... command) {
        OtherClient c = new OtherClient(h, "127.0.0.1:" + (40000 + h.engine.clients().count()), 2);
        c.run(command);
        assertTrue(c.session.blocked(), "blocked: " + String.join(" ", command));
        return c;
    }

    @Test
    void anExecsEffectsAreOneRecordWhateverRunsBetweenQueueingAndExec() {
        h.run("SET", "old", "v", "PX", "10");
        h.logged.clear();
        h.run("MULTI");
        h.run("SET", "a", "1");
        h.run("EXPIRE", "a", "100");
        h.advance(11);
        h.engine.cron(); // active expiry and its own append, between two queued commands
        h.run("LPUSH", "l", "x", "y");
        h.run("RPOP", "l");
        h.run("INCR", "n");
        assertEquals(List.of("0:DEL old"), h.effects(), "cron logged its expiry; nothing queued was logged");
        h.logged.clear();
        h.run("EXEC");
        assertEquals(1, h.logged.size(), "one record");
        assertEquals(List.of("0:SET a 1", "0:PEXPIREAT a " + (h.time.get() + 100_000), "0:LPUSH l x y", "0:RPOP l",
                "0:INCR n"), h.effects());
    }

    @Test
    void theRecordReplaysToTheSameData() {
        h.run("SET", "counter", "10");
        h.run("MULTI");
        h.run("INCRBY", "counter", "5");
        h.run("SET", "tmp", "x", "EX", "100");
        h.run("HSET", "h", "f", "v");
        h.run("SELECT", "2");
        h.run("SADD", "s", "m");
        h.run("EXEC");
        EngineHarness replayed = new EngineHarness();
        for (List<Effect> record : h.logged) {
            replayed.engine.replay(record);
        }
        h.run("SELECT", "0");
        assertEquals(h.run("DEBUG", "DIGEST"), replayed.run("DEBUG", "DIGEST"));
        assertEquals("15", replayed.run("GET", "counter"));
        assertEquals(100L, replayed.run("TTL", "tmp"));
        replayed.run("SELECT", "2");
        assertEquals(1L, replayed.run("SISMEMBER", "s", "m"));
    }

    @Test
    void aPushInsideATransactionWakesABlockedPopOnlyAfterExec() {
        OtherClient popper = blocked("BLPOP", "q", "0");
        h.run("MULTI");
        h.run("RPUSH", "q", "a");
        h.run("LPOP", "q");
        h.run("RPUSH", "q", "b");
        assertEquals(list(1L, "a", 1L), h.run("EXEC"), "the transaction's own LPOP got the first element");
        assertEquals(List.of(list("q", "b")), popper.replies(), "served once EXEC was done, with what was left");
        assertEquals(List.of("0:RPUSH q a", "0:LPOP q", "0:RPUSH q b", "0:LPOP q"), h.effects(),
                "the served pop is logged in the same record, after the transaction");
        assertEquals(1, h.logged.size());
    }

    @Test
    void entriesAddedInsideATransactionWakeXreadOnlyAfterExecAndItSeesThemAll() {
        h.run("XADD", "s", "1-0", "f", "old");
        OtherClient reader = blocked("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
        h.run("MULTI");
        h.run("XADD", "s", "2-0", "f", "one");
        h.run("XADD", "s", "3-0", "f", "two");
        h.run("XADD", "s", "4-0", "f", "three");
        assertTrue(reader.replies().isEmpty(), "nothing ran while queueing");
        assertEquals(list("2-0", "3-0", "4-0"), h.run("EXEC"));
        assertEquals(List.of(List.of(List.of("s", List.of(
                List.of("2-0", List.of("f", "one")),
                List.of("3-0", List.of("f", "two")),
                List.of("4-0", List.of("f", "three")))))), reader.replies());
    }

    /** With a clock that moves 1 ms every time it is read, commands run at different times unless fixed. */
    @Test
    void theCommandsOfATransactionShareItsTime() {
        AtomicLong ticks = new AtomicLong(1_700_000_000_000L);
        Engine engine = new Engine(new ServerConfig(), new MemoryKeyStore(16), EffectLog.NONE,
                Snapshots.none(1_700_000_000L), ticks::incrementAndGet);
        Session session = engine.connect(new Connection() {
            @Override public void closeAfterReply() { }
            @Override public String remoteAddress() { return "127.0.0.1:50000"; }
            @Override public String localAddress() { return "127.0.0.1:6379"; }
        });
        ReplyCapture replies = new ReplyCapture(2);
        for (String command : List.of("MULTI", "SET k v PX 2", "GET k", "GET k", "GET k", "PTTL k", "EXEC")) {
            String[] words = command.split(" ");
            byte[][] argv = new byte[words.length][];
            for (int i = 0; i < words.length; i++) {
                argv[i] = words[i].getBytes(StandardCharsets.ISO_8859_1);
            }
            engine.execute(session, argv, replies);
        }
        assertEquals(list("OK", "v", "v", "v", 2L), replies.last(), "the key does not expire halfway");
        ReplyCapture after = new ReplyCapture(2);
        for (int i = 0; i < 3; i++) {
            engine.execute(session, new byte[][]{"GET".getBytes(), "k".getBytes()}, after);
        }
        assertNull(after.last(), "outside the transaction time moves on");
    }
}
