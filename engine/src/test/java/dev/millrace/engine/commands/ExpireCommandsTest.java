package dev.millrace.engine.commands;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Locale;

import static dev.millrace.engine.commands.KeyFixtures.put;
import static dev.millrace.engine.commands.KeyFixtures.putWithTtl;
import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST; checked against Redis 7.0.15. */
class ExpireCommandsTest {
    private final EngineHarness h = new EngineHarness();
    private final long t0 = h.time.get();

    @Test
    void eachFormSetsTheSameAbsoluteExpiryAndLogsPexpireat() {
        long at = t0 + 100_000;
        put(h, "a", "v");
        put(h, "b", "v");
        put(h, "c", "v");
        put(h, "d", "v");
        assertEquals(1L, h.run("EXPIRE", "a", "100"));
        assertEquals(1L, h.run("PEXPIRE", "b", "100000"));
        assertEquals(1L, h.run("EXPIREAT", "c", Long.toString(at / 1000)));
        assertEquals(1L, h.run("PEXPIREAT", "d", Long.toString(at)));
        for (String key : List.of("a", "b", "c", "d")) {
            assertEquals(100L, h.run("TTL", key));
            assertEquals(100_000L, h.run("PTTL", key));
            assertEquals(at, h.run("PEXPIRETIME", key));
            assertEquals(at / 1000, h.run("EXPIRETIME", key));
        }
        assertEquals(List.of("0:PEXPIREAT a " + at, "0:PEXPIREAT b " + at, "0:PEXPIREAT c " + at,
                "0:PEXPIREAT d " + at), h.effects());
    }

    @Test
    void missingKeysReplyZeroOrMinusTwo() {
        assertEquals(0L, h.run("EXPIRE", "nokey", "100"));
        assertEquals(0L, h.run("PERSIST", "nokey"));
        for (String command : List.of("TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME")) {
            assertEquals(-2L, h.run(command, "nokey"));
        }
        assertEquals(List.of(), h.effects());
    }

    @Test
    void keysWithoutTtlReplyMinusOne() {
        put(h, "k", "v");
        for (String command : List.of("TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME")) {
            assertEquals(-1L, h.run(command, "k"));
        }
    }

    @Test
    void secondsAreRoundedToTheNearest() {
        put(h, "k", "v");
        h.run("PEXPIRE", "k", "100500");
        assertEquals(101L, h.run("TTL", "k"));
        h.run("PEXPIRE", "k", "100499");
        assertEquals(100L, h.run("TTL", "k"));
        h.run("PEXPIREAT", "k", "4000000000499");
        assertEquals(4000000000L, h.run("EXPIRETIME", "k"));
        h.run("PEXPIREAT", "k", "4000000000500");
        assertEquals(4000000001L, h.run("EXPIRETIME", "k"));
    }

    @Test
    void theLargestExpiryTimesAreAcceptedAndReportedWithoutOverflow() {
        put(h, "k", "v");
        assertEquals(1L, h.run("PEXPIREAT", "k", "9223372036854775807"));
        assertEquals(9223372036854775807L, h.run("PEXPIRETIME", "k"));
        assertEquals(9223372036854776L, h.run("EXPIRETIME", "k"));
        assertEquals(9223372036854775807L - t0, h.run("PTTL", "k"));
        assertEquals(1L, h.run("EXPIREAT", "k", "9223372036854775"));
        assertEquals(9223372036854775000L, h.run("PEXPIRETIME", "k"));
    }

    @ParameterizedTest
    @CsvSource({
            "EXPIRE, 9223372036854776", "EXPIRE, -9223372036854776", "EXPIRE, 9223372036854775",
            "PEXPIRE, 9223372036854775807", "EXPIREAT, 9223372036854776", "EXPIREAT, -9223372036854776"})
    void overflowingTimesAreErrors(String command, String time) {
        put(h, "k", "v");
        String expected = "ERR invalid expire time in '" + command.toLowerCase(Locale.ROOT) + "' command";
        assertEquals(err(expected), h.run(command, "k", time));
        assertEquals(err(expected), h.run(command, "nokey", time), "checked before the key is looked up");
        assertEquals(-1L, h.run("TTL", "k"));
    }

    @Test
    void optionErrorsComeFirstAndQuoteTheWord() {
        put(h, "k", "v");
        assertEquals(err("ERR Unsupported option Foo"), h.run("EXPIRE", "k", "abc", "Foo"));
        assertEquals(err("ERR Unsupported option foo"), h.run("EXPIRE", "nokey", "100", "foo"));
        // As C's %s: the word ends at a NUL byte; CR and LF are trimmed off the end (the RESP writer blanks
        // the ones inside).
        assertEquals(err("ERR Unsupported option a"), h.run("EXPIRE", "k", "100", "a\0b"));
        assertEquals(err("ERR Unsupported option a\r\nb"), h.run("EXPIRE", "k", "100", "a\r\nb\r\n"));
        assertEquals(err("ERR value is not an integer or out of range"), h.run("EXPIRE", "k", "abc"));
        assertEquals(err("ERR value is not an integer or out of range"), h.run("PEXPIRE", "k", "1.5"));
        assertEquals(err("ERR value is not an integer or out of range"), h.run("EXPIRE", "k", " 1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nx xx", "nx gt", "lt nx", "xx nx", "nx gt lt"})
    void nxWithAnyOtherConditionIsAnError(String options) {
        put(h, "k", "v");
        assertEquals(err("ERR NX and XX, GT or LT options at the same time are not compatible"),
                h.run(args("EXPIRE k 100 " + options)));
    }

    @Test
    void gtWithLtIsAnError() {
        put(h, "k", "v");
        assertEquals(err("ERR GT and LT options at the same time are not compatible"), h.run(args("EXPIRE k 100 gt xx LT")));
    }

    /** The sequence of a real Redis 7.0.15 session: no TTL counts as an infinite one for GT and LT. */
    @Test
    void conditionsDecideAsRedis() {
        put(h, "k", "v");
        assertEquals(0L, h.run(args("EXPIRE k 100 xx")));
        assertEquals(0L, h.run(args("EXPIRE k 100 gt")));
        assertEquals(1L, h.run(args("EXPIRE k 100 lt")));
        assertEquals(0L, h.run(args("EXPIRE k 200 lt")));
        assertEquals(1L, h.run(args("EXPIRE k 300 gt")));
        assertEquals(0L, h.run(args("EXPIRE k 100 gt")));
        assertEquals(0L, h.run(args("EXPIRE k 100 NX")));
        assertEquals(0L, h.run(args("EXPIRE k 300 xx lt")));
        assertEquals(1L, h.run(args("EXPIRE k 400 xx gt")));
        assertEquals(400L, h.run("TTL", "k"));
        assertEquals(1L, h.run("PERSIST", "k"));
        assertEquals(1L, h.run(args("EXPIRE k 50 NX")));
        assertEquals(50L, h.run("TTL", "k"));
        assertEquals(List.of("0:PEXPIREAT k " + (t0 + 100_000), "0:PEXPIREAT k " + (t0 + 300_000),
                "0:PEXPIREAT k " + (t0 + 400_000), "0:PERSIST k", "0:PEXPIREAT k " + (t0 + 50_000)), h.effects());
    }

    @Test
    void aTimeInThePastDeletesTheKeyAndLogsDel() {
        put(h, "a", "v");
        put(h, "b", "v");
        put(h, "c", "v");
        assertEquals(1L, h.run("EXPIRE", "a", "-5"));
        assertEquals(1L, h.run("PEXPIRE", "b", "0"));
        assertEquals(1L, h.run("EXPIREAT", "c", "1", "lt"));
        assertEquals(0L, h.run("EXISTS", "a", "b", "c"));
        assertEquals(List.of("0:DEL a", "0:DEL b", "0:DEL c"), h.effects());
        assertEquals(0, h.engine.keyspace().expiredKeys(), "deleted by the command, not expired");
    }

    @Test
    void aPastTimeThatFailsItsConditionKeepsTheKey() {
        put(h, "k", "v");
        assertEquals(0L, h.run(args("EXPIRE k -5 gt")));
        assertEquals(1L, h.run("EXPIRE", "k", "100"));
        assertEquals(0L, h.run(args("EXPIREAT k 1 gt")));
        assertEquals(0L, h.run(args("EXPIREAT k 1 nx")));
        assertEquals(1L, h.run("EXISTS", "k"));
    }

    @Test
    void persistRemovesTheTtlOnce() {
        putWithTtl(h, "k", "v", 10_000);
        assertEquals(1L, h.run("PERSIST", "k"));
        assertEquals(0L, h.run("PERSIST", "k"));
        assertEquals(-1L, h.run("TTL", "k"));
        assertEquals(List.of("0:PERSIST k"), h.effects());
    }

    @Test
    void aKeyIsGoneOnceItsTtlPassesAndReadsSeeNothing() {
        h.engine.setActiveExpireEnabled(false);
        put(h, "k", "v");
        assertEquals(1L, h.run("PEXPIRE", "k", "1500"));
        h.advance(1499);
        h.engine.cron();
        assertEquals(1L, h.run("PTTL", "k"));
        assertEquals(0L, h.run("TTL", "k"));
        h.advance(1);
        h.engine.cron();
        assertEquals(0L, h.run("PTTL", "k"), "at exactly its expire time a key is still alive, as in Redis");
        h.advance(1);
        h.engine.cron();
        assertNull(h.run("OBJECT", "ENCODING", "k"));
        assertEquals(-2L, h.run("TTL", "k"));
        assertEquals(0L, h.run("EXISTS", "k"));
        assertEquals(0, h.store().size(0));
        assertEquals(1, h.engine.keyspace().expiredKeys());
        assertEquals(List.of("0:PEXPIREAT k " + (t0 + 1500), "0:DEL k"), h.effects());
    }

    @Test
    void ttlSurvivesValueRewritesByKeyCommands() {
        putWithTtl(h, "k", "v", 60_000);
        h.run("RENAME", "k", "r");
        h.run("MOVE", "r", "2");
        h.session.selectDb(2);
        h.run("COPY", "r", "c");
        assertEquals(60L, h.run("TTL", "r"));
        assertEquals(60L, h.run("TTL", "c"));
    }

    @Test
    void expireWorksTheSameInResp3() {
        EngineHarness h3 = new EngineHarness(3);
        put(h3, "k", "v");
        assertEquals(1L, h3.run("EXPIRE", "k", "10"));
        assertEquals(10L, h3.run("TTL", "k"));
        assertEquals(-2L, h3.run("TTL", "nokey"));
    }

    private static String[] args(String line) {
        return line.split(" ");
    }
}
