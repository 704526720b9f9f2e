package dev.millrace.engine.commands;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.millrace.engine.commands.KeyFixtures.put;
import static dev.millrace.engine.commands.KeyFixtures.putWithTtl;
import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DEL, UNLINK, EXISTS, TYPE, TOUCH, RENAME, RENAMENX, COPY, MOVE, RANDOMKEY; replies checked against Redis 7.0.15. */
class KeyCommandsTest {
    private final EngineHarness h = new EngineHarness();

    @ParameterizedTest
    @ValueSource(strings = {"DEL", "UNLINK"})
    void deleteCountsEachExistingKeyOnceAndLogsItsOwnArgv(String command) {
        put(h, "a", "1");
        put(h, "b", "2");
        assertEquals(2L, h.run(command, "a", "a", "b", "nokey"));
        assertEquals(0L, h.run("EXISTS", "a", "b"));
        assertEquals(0L, h.run(command, "a"));
        assertEquals(List.of("0:" + command + " a a b nokey"), h.effects());
    }

    @Test
    void deletingAnExpiredKeyCountsNothingAndLogsOnlyTheExpiry() {
        putWithTtl(h, "k", "v", 1000);
        h.advance(1000 + 1);
        assertEquals(0L, h.run("DEL", "k"));
        assertEquals(List.of("0:DEL k"), h.effects());
        assertEquals(1, h.engine.keyspace().expiredKeys());
    }

    @Test
    void existsCountsDuplicatesAndKeyspaceHits() {
        put(h, "k", "v");
        assertEquals(3L, h.run("EXISTS", "k", "k", "k", "nokey"));
        assertEquals(3, h.engine.keyspace().keyspaceHits());
        assertEquals(1, h.engine.keyspace().keyspaceMisses());
        assertEquals(List.of(), h.effects());
    }

    @Test
    void typeNamesTheTypeOrNone() {
        put(h, "k", "v");
        assertEquals("string", h.run("TYPE", "k"));
        assertEquals("none", h.run("TYPE", "nokey"));
        putWithTtl(h, "gone", "v", 10);
        h.advance(10 + 1);
        assertEquals("none", h.run("TYPE", "gone"));
    }

    @Test
    void touchCountsExistingKeysAndResetsTheirIdleTime() {
        put(h, "k", "v");
        h.advance(5_000 + 1);
        assertEquals(5L, h.run("OBJECT", "IDLETIME", "k"));
        assertEquals(2L, h.run("TOUCH", "k", "k", "nokey"));
        assertEquals(0L, h.run("OBJECT", "IDLETIME", "k"));
        assertEquals(List.of(), h.effects(), "an access is not a write");
        assertEquals(0, h.engine.keyspace().dirty() - 1, "only the fixture's put counts as a change");
    }

    @Test
    void readsWithoutTouchLeaveTheIdleTime() {
        putWithTtl(h, "k", "v", 100_000);
        h.advance(3_000 + 1);
        h.run("EXISTS", "k");
        h.run("TYPE", "k");
        h.run("TTL", "k");
        h.run("OBJECT", "ENCODING", "k");
        assertEquals(3L, h.run("OBJECT", "IDLETIME", "k"));
    }

    @Test
    void noTouchClientsLeaveTheIdleTimeExceptWithTouch() {
        put(h, "k", "v");
        h.session.setNoTouch(true);
        h.advance(4_000 + 1);
        h.run("PERSIST", "k");
        h.run("COPY", "k", "k2");
        assertEquals(4L, h.run("OBJECT", "IDLETIME", "k"));
        h.run("TOUCH", "k");
        assertEquals(0L, h.run("OBJECT", "IDLETIME", "k"));
    }

    @Test
    void renameMovesTheValueAndTtlOverwritingTheTarget() {
        putWithTtl(h, "src", "v", 100_000);
        put(h, "dst", "old");
        assertEquals("OK", h.run("RENAME", "src", "dst"));
        assertEquals(0L, h.run("EXISTS", "src"));
        assertEquals(100_000L, h.run("PTTL", "dst"));
        assertEquals("embstr", h.run("OBJECT", "ENCODING", "dst"));
        assertEquals(List.of("0:RENAME src dst"), h.effects());
    }

    @Test
    void renameToItselfIsOkWithoutAChange() {
        put(h, "k", "v");
        assertEquals("OK", h.run("RENAME", "k", "k"));
        assertEquals(0L, h.run("RENAMENX", "k", "k"));
        assertEquals(List.of(), h.effects());
    }

    @Test
    void renameOfAMissingKeyIsAnError() {
        assertEquals(err("ERR no such key"), h.run("RENAME", "nokey", "x"));
        assertEquals(err("ERR no such key"), h.run("RENAMENX", "nokey", "nokey"));
        putWithTtl(h, "k", "v", 10);
        h.advance(10 + 1);
        assertEquals(err("ERR no such key"), h.run("RENAME", "k", "x"));
        assertEquals(List.of("0:DEL k"), h.effects());
    }

    @Test
    void renamenxRenamesOnlyToAnAbsentKey() {
        put(h, "a", "1");
        put(h, "b", "2");
        assertEquals(0L, h.run("RENAMENX", "a", "b"));
        assertEquals(1L, h.run("RENAMENX", "a", "c"));
        assertEquals(0L, h.run("EXISTS", "a"));
        assertEquals(1L, h.run("EXISTS", "c"));
        assertEquals(List.of("0:RENAMENX a c"), h.effects());
    }

    @Test
    void renameOntoAnExpiredKeyLogsItsExpiryFirst() {
        put(h, "a", "1");
        putWithTtl(h, "b", "2", 10);
        h.advance(10 + 1);
        assertEquals(1L, h.run("RENAMENX", "a", "b"));
        assertEquals(List.of("0:DEL b", "0:RENAMENX a b"), h.effects());
    }

    @Test
    void copyDuplicatesTheValueAndTtlWithAFreshAccessClock() {
        putWithTtl(h, "src", "v", 50_000);
        h.advance(7_000);
        h.session.setNoTouch(true);
        assertEquals(1L, h.run("COPY", "src", "dst"));
        assertEquals(43_000L, h.run("PTTL", "dst"));
        assertEquals(0L, h.run("OBJECT", "IDLETIME", "dst"));
        assertEquals(7L, h.run("OBJECT", "IDLETIME", "src"));
        assertEquals(1L, h.run("EXISTS", "src"));
        assertEquals(List.of("0:COPY src dst"), h.effects());
    }

    @Test
    void copyRefusesAnExistingTargetUnlessReplace() {
        put(h, "src", "new");
        put(h, "dst", "old");
        assertEquals(0L, h.run("COPY", "src", "dst"));
        assertEquals(1L, h.run("COPY", "src", "dst", "REPLACE", "replace"));
        assertEquals(0L, h.run("COPY", "nokey", "dst", "REPLACE"));
        assertEquals(List.of("0:COPY src dst REPLACE replace"), h.effects());
    }

    @Test
    void copyToAnotherDatabase() {
        putWithTtl(h, "k", "v", 9_000);
        assertEquals(1L, h.run("COPY", "k", "k", "DB", "3"));
        assertEquals(0L, h.run("COPY", "k", "k", "db", "3"));
        h.session.selectDb(3);
        assertEquals(9_000L, h.run("PTTL", "k"));
        assertEquals(List.of("0:COPY k k DB 3"), h.effects());
    }

    @Test
    void copyErrorsAsRedis() {
        put(h, "k", "v");
        assertEquals(err("ERR source and destination objects are the same"), h.run("COPY", "k", "k"));
        assertEquals(err("ERR source and destination objects are the same"), h.run("COPY", "k", "k", "DB", "0"));
        assertEquals(err("ERR DB index is out of range"), h.run("COPY", "k", "k", "DB", "16"));
        assertEquals(err("ERR DB index is out of range"), h.run("COPY", "k", "x", "DB", "-1"));
        assertEquals(err("ERR value is not an integer or out of range"), h.run("COPY", "k", "x", "DB", "abc"));
        assertEquals(err("ERR value is out of range, value must between -2147483648 and 2147483647"), h.run("COPY", "k", "x", "DB", "4294967296"));
        assertEquals(err("ERR value is out of range, value must between -2147483648 and 2147483647"), h.run("MOVE", "k", "2147483648"));
        assertEquals(err("ERR value is not an integer or out of range"), h.run("MOVE", "k", "1.0"));
        assertEquals(err("ERR syntax error"), h.run("COPY", "k", "x", "DB"));
        assertEquals(err("ERR syntax error"), h.run("COPY", "k", "x", "foo"));
        assertEquals(err("ERR syntax error"), h.run("COPY", "nokey", "k", "k"));
        assertEquals(List.of(), h.effects());
    }

    @Test
    void moveTakesTheKeyAndTtlToTheOtherDatabase() {
        putWithTtl(h, "k", "v", 20_000);
        assertEquals(1L, h.run("MOVE", "k", "1"));
        assertEquals(0L, h.run("EXISTS", "k"));
        assertEquals(0L, h.run("MOVE", "k", "1"));
        h.session.selectDb(1);
        assertEquals(20_000L, h.run("PTTL", "k"));
        assertEquals(List.of("0:MOVE k 1"), h.effects());
    }

    @Test
    void moveRefusesWhenTheTargetHasTheKey() {
        put(h, "k", "here");
        put(h, 1, "k", "there", -1);
        assertEquals(0L, h.run("MOVE", "k", "1"));
        assertEquals(1L, h.run("EXISTS", "k"));
        assertEquals(List.of(), h.effects());
    }

    @Test
    void moveErrorsAsRedis() {
        put(h, "k", "v");
        assertEquals(err("ERR DB index is out of range"), h.run("MOVE", "k", "99"));
        assertEquals(err("ERR DB index is out of range"), h.run("MOVE", "k", "-1"));
        assertEquals(err("ERR value is not an integer or out of range"), h.run("MOVE", "k", "abc"));
        assertEquals(err("ERR source and destination objects are the same"), h.run("MOVE", "k", "0"));
        assertEquals(err("ERR source and destination objects are the same"), h.run("MOVE", "nokey", "0"));
        assertEquals(0L, h.run("MOVE", "nokey", "1"));
    }

    @Test
    void randomKeyOfAnEmptyDatabaseIsNull() {
        assertNull(h.run("RANDOMKEY"));
        assertNull(new EngineHarness(3).run("RANDOMKEY"));
    }

    @Test
    void randomKeyReturnsLiveKeys() {
        Set<Object> seen = new HashSet<>();
        put(h, "a", "1");
        put(h, "b", "2");
        for (int i = 0; i < 200; i++) {
            seen.add(h.run("RANDOMKEY"));
        }
        assertEquals(Set.of("a", "b"), seen);
    }

    @Test
    void randomKeyDeletesTheExpiredKeysItDraws() {
        for (int i = 0; i < 50; i++) {
            putWithTtl(h, "t" + i, "v", 100);
        }
        put(h, "live", "v");
        h.advance(100 + 1);
        assertEquals("live", h.run("RANDOMKEY"));
        for (int i = 0; i < 50; i++) {
            h.run("RANDOMKEY");
        }
        assertTrue(h.engine.keyspace().expiredKeys() > 0);
        assertEquals(h.engine.keyspace().expiredKeys(), h.effects().size(), "each deletion logged as a DEL");
        h.run("DEL", "live");
        assertNull(h.run("RANDOMKEY"), "only expired keys left: all deleted, then null");
        assertEquals(0, h.store().size(0));
        assertEquals(50, h.engine.keyspace().expiredKeys());
    }

    @Test
    void repliesAreTheSameInResp3() {
        EngineHarness h3 = new EngineHarness(3);
        put(h3, "k", "v");
        assertEquals(1L, h3.run("EXISTS", "k"));
        assertEquals("string", h3.run("TYPE", "k"));
        assertEquals("OK", h3.run("RENAME", "k", "j"));
        assertEquals(1L, h3.run("COPY", "j", "k"));
        assertEquals(2L, h3.run("DEL", "j", "k"));
    }
}
