package dev.millrace.engine.commands;

import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static dev.millrace.engine.commands.StoredRecords.replayed;
import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The single-key set commands (SADD, SREM, SISMEMBER, SMISMEMBER, SCARD, SMEMBERS, SPOP, SRANDMEMBER,
 * SMOVE, SSCAN) in RESP2 and RESP3: replies, errors, encodings and the effects they log. Expected
 * replies and errors were taken from redis-server 7.0.15 (the intset order, SPOP's logged SREMs and
 * DEL, the encodings after each change).
 */
class SetCommandsTest {
    static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

    private final EngineHarness h = new EngineHarness();

    static EngineHarness harness(int protocol) {
        return new EngineHarness(protocol);
    }

    /** A harness whose intsets convert past {@code maxIntsetEntries} members. */
    static EngineHarness withIntsetLimit(int protocol, long maxIntsetEntries) {
        ServerConfig config = new ServerConfig();
        EngineHarness h = new EngineHarness(protocol, config);
        h.run("CONFIG", "SET", "set-max-intset-entries", Long.toString(maxIntsetEntries));
        return h;
    }

    /** A set reply's members, whatever its shape, in reply order. */
    static List<String> ordered(Object reply) {
        List<String> out = new ArrayList<>();
        for (Object o : (Collection<?>) reply) {
            out.add((String) o);
        }
        return out;
    }

    static Set<String> members(Object reply) {
        return new HashSet<>(ordered(reply));
    }

    static Set<String> setOf(String... members) {
        return new HashSet<>(List.of(members));
    }

    static String encoding(EngineHarness h, String key) {
        return (String) h.run("OBJECT", "ENCODING", key);
    }

    /** A set reply (the protocol layer writes it as an array in RESP2), not an array. */
    static void assertSetShape(int protocol, Object reply) {
        assertInstanceOf(LinkedHashSet.class, reply, "RESP" + protocol + " reply " + reply);
    }

    // ---- SADD SREM SCARD SISMEMBER SMISMEMBER ------------------------------------------------------

    @Test
    void saddCountsOnlyNewMembersAndSremOnlyPresentOnes() {
        assertEquals(3L, h.run("SADD", "s", "a", "b", "c"));
        assertEquals(1L, h.run("SADD", "s", "a", "d", "d"));
        assertEquals(4L, h.run("SCARD", "s"));
        assertEquals(2L, h.run("SREM", "s", "a", "zz", "b", "a"));
        assertEquals(setOf("c", "d"), members(h.run("SMEMBERS", "s")));
        assertEquals(0L, h.run("SREM", "missing", "a"));
        assertEquals(0L, h.run("SCARD", "missing"));
    }

    @Test
    void theLastMemberRemovedDeletesTheKey() {
        h.run("SADD", "s", "a", "b");
        assertEquals(2L, h.run("SREM", "s", "a", "b", "c"));
        assertEquals(0L, h.run("EXISTS", "s"));
        h.run("SADD", "i", "1");
        assertEquals(1L, h.run("SREM", "i", "1", "1"));
        assertEquals("none", h.run("TYPE", "i"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void membershipIsAnIntegerPerValueAndAMissingKeyIsAnEmptySet(int protocol) {
        EngineHarness h = harness(protocol);
        h.run("SADD", "s", "a", "1");
        assertEquals(1L, h.run("SISMEMBER", "s", "a"));
        assertEquals(1L, h.run("SISMEMBER", "s", "1"));
        assertEquals(0L, h.run("SISMEMBER", "s", "01"));
        assertEquals(0L, h.run("SISMEMBER", "missing", "a"));
        assertEquals(List.of(1L, 0L, 1L, 1L), h.run("SMISMEMBER", "s", "a", "b", "1", "a"));
        assertEquals(List.of(0L, 0L), h.run("SMISMEMBER", "missing", "a", "b"));
    }

    @Test
    void everySetCommandRefusesAnotherType() {
        h.run("SET", "str", "x");
        h.run("SADD", "set", "1");
        String[][] commands = {
                {"SADD", "str", "a"}, {"SREM", "str", "a"}, {"SMEMBERS", "str"}, {"SISMEMBER", "str", "a"},
                {"SMISMEMBER", "str", "a"}, {"SCARD", "str"}, {"SPOP", "str"}, {"SPOP", "str", "1"},
                {"SRANDMEMBER", "str"}, {"SRANDMEMBER", "str", "2"}, {"SMOVE", "str", "set", "a"},
                {"SMOVE", "set", "str", "1"}, {"SINTER", "missing", "str"}, {"SINTERCARD", "2", "missing", "str"},
                {"SINTERSTORE", "d", "set", "str"}, {"SUNION", "set", "str"}, {"SUNIONSTORE", "d", "str"},
                {"SDIFF", "missing", "str"}, {"SDIFFSTORE", "d", "set", "str"}, {"SSCAN", "str", "0"}};
        for (String[] command : commands) {
            assertEquals(err(WRONGTYPE), h.run(command), String.join(" ", command));
        }
        assertEquals(1L, h.run("SCARD", "set"), "nothing changed");
        assertEquals(0L, h.run("EXISTS", "d"));
    }

    @Test
    void wrongArityIsReportedByName() {
        assertEquals(err("ERR wrong number of arguments for 'sadd' command"), h.run("SADD", "s"));
        assertEquals(err("ERR wrong number of arguments for 'smove' command"), h.run("SMOVE", "a", "b"));
        assertEquals(err("ERR wrong number of arguments for 'sintercard' command"), h.run("SINTERCARD", "1"));
        assertEquals(err("ERR wrong number of arguments for 'sscan' command"), h.run("SSCAN", "s"));
    }

    @Test
    void saddAndSremCountAChangePerMember() {
        long before = h.engine.keyspace().dirty();
        h.run("SADD", "s", "a", "b", "c");
        assertEquals(before + 3, h.engine.keyspace().dirty());
        h.run("SREM", "s", "a", "b");
        assertEquals(before + 5, h.engine.keyspace().dirty());
        h.run("SADD", "s", "c");
        assertEquals(before + 5, h.engine.keyspace().dirty(), "nothing added, nothing changed");
    }

    // ---- encodings ---------------------------------------------------------------------------------

    @Test
    void integersInCanonicalFormMakeAnIntsetAnythingElseAHashtable() {
        h.run("SADD", "ints", "5", "-3", "9223372036854775807", "-9223372036854775808", "0");
        assertEquals("intset", encoding(h, "ints"));
        for (String notCanonical : List.of("01", "+1", "-0", " 1", "1.0", "9223372036854775808", "", "abc")) {
            h.run("DEL", "k");
            h.run("SADD", "k", "1", notCanonical);
            assertEquals("hashtable", encoding(h, "k"), notCanonical);
        }
        h.run("SADD", "first-string", "a", "1");
        assertEquals("hashtable", encoding(h, "first-string"));
    }

    @Test
    void anIntsetIsSortedNumericallyAndAHashtableNeverGoesBack() {
        h.run("SADD", "s", "10", "-2", "3", "100", "0");
        assertEquals(List.of("-2", "0", "3", "10", "100"), ordered(h.run("SMEMBERS", "s")));
        h.run("SADD", "s", "x");
        assertEquals("hashtable", encoding(h, "s"));
        h.run("SREM", "s", "x");
        assertEquals("hashtable", encoding(h, "s"));
        assertEquals(setOf("-2", "0", "3", "10", "100"), members(h.run("SMEMBERS", "s")));
    }

    @Test
    void anIntsetConvertsPastSetMaxIntsetEntries() {
        EngineHarness h = withIntsetLimit(2, 3);
        h.run("SADD", "s", "1", "2", "3");
        assertEquals("intset", encoding(h, "s"));
        h.run("SADD", "s", "4");
        assertEquals("hashtable", encoding(h, "s"));
        assertEquals(setOf("1", "2", "3", "4"), members(h.run("SMEMBERS", "s")));
        EngineHarness zero = withIntsetLimit(2, 0);
        zero.run("SADD", "z", "1");
        assertEquals("hashtable", encoding(zero, "z"), "a limit of 0 allows no intset at all");
    }

    @Test
    void theDefaultLimitIs512() {
        String[] args = new String[2 + 513];
        args[0] = "SADD";
        args[1] = "s";
        for (int i = 0; i < 513; i++) {
            args[2 + i] = Integer.toString(i);
        }
        String[] first512 = java.util.Arrays.copyOf(args, 2 + 512);
        h.run(first512);
        assertEquals("intset", encoding(h, "s"));
        h.run(args);
        assertEquals("hashtable", encoding(h, "s"));
        assertEquals(513L, h.run("SCARD", "s"));
    }

    @Test
    void saddKeepsTheTtlAndReplaysToTheSameSet() {
        h.run("SADD", "s", "1", "2");
        h.run("EXPIRE", "s", "100");
        h.run("SADD", "s", "a");
        assertEquals(100L, h.run("TTL", "s"));
        EngineHarness copy = replayed(h, 0);
        assertEquals(setOf("1", "2", "a"), members(copy.run("SMEMBERS", "s")));
        assertEquals("hashtable", encoding(copy, "s"));
    }

    @Test
    void aHashtableSurvivesItsAccessClockBeingStamped() {
        h.run("SADD", "s", "a", "b");
        h.advance(5000);
        assertEquals(2L, h.run("SCARD", "s"), "the lookup stamps the access clock");
        assertEquals(setOf("a", "b"), members(h.run("SMEMBERS", "s")));
        h.advance(5000);
        h.run("EXPIRE", "s", "100");
        h.run("PERSIST", "s");
        assertEquals(setOf("a", "b"), members(h.run("SMEMBERS", "s")), "EXPIRE and PERSIST rewrite the record");
    }

    /** Values recorded from redis-server 7.0.15 for the same data. */
    @Test
    void debugDigestOfSetsIsRedisDigest() {
        ServerConfig config = new ServerConfig();
        config.set("enable-debug-command", "yes", true);
        EngineHarness h = new EngineHarness(2, config);
        h.run("SADD", "s", "3", "1", "2");
        h.run("SADD", "h", "a", "b", "c", "1");
        h.run("SADD", "e", "1");
        h.run("PEXPIREAT", "e", "4102444800000");
        assertEquals(List.of("2a462a3f51a1db89738ebbeef0c47ce1bbc85246", "6c563d3f017ec5083ac0b9f29fc635f90a47f2d9",
                        "61562e2ddb8cdf96952abe071e8e6305849880ce", "0000000000000000000000000000000000000000"),
                h.run("DEBUG", "DIGEST-VALUE", "s", "h", "e", "missing"));
        assertEquals("8efc5392ef55bbd07f68c874e891b018c925338a", h.run("DEBUG", "DIGEST"));
    }

    @Test
    void aHashtableIsCopiedRenamedAndDeletedWithItsPages() {
        for (int i = 0; i < 2000; i++) {
            h.run("SADD", "s", "member:" + i);
        }
        long pages = h.store().pageCount();
        assertTrue(pages > 1, "a multi-page tree: " + pages);
        assertEquals(1L, h.run("COPY", "s", "copy"));
        h.run("SREM", "s", "member:0");
        assertEquals(2000L, h.run("SCARD", "copy"));
        assertEquals(1L, h.run("SISMEMBER", "copy", "member:0"));
        assertEquals("OK", h.run("RENAME", "copy", "renamed"));
        assertEquals(2000L, h.run("SCARD", "renamed"));
        assertEquals(2L, h.run("DEL", "s", "renamed"));
        assertEquals(0L, h.store().pageCount(), "no page outlives its set");
        h.run("SADD", "t", "a", "b");
        h.run("SPOP", "t", "2");
        h.run("SADD", "u", "a");
        h.run("SREM", "u", "a");
        assertEquals(0L, h.store().pageCount(), "emptied sets leave no pages");
    }

    // ---- SMEMBERS ----------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void smembersIsASetReplyEvenWhenEmpty(int protocol) {
        EngineHarness h = harness(protocol);
        Object empty = h.run("SMEMBERS", "missing");
        assertSetShape(protocol, empty);
        assertTrue(((Collection<?>) empty).isEmpty());
        h.run("SADD", "s", "b", "a");
        Object reply = h.run("SMEMBERS", "s");
        assertSetShape(protocol, reply);
        assertEquals(setOf("a", "b"), members(reply));
    }

    // ---- SPOP --------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void spopRemovesAMemberAndLogsItAsSrem(int protocol) {
        EngineHarness h = harness(protocol);
        h.run("SADD", "s", "a", "b", "c");
        h.logged.clear();
        String popped = (String) h.run("SPOP", "s");
        assertTrue(setOf("a", "b", "c").contains(popped));
        assertEquals(2L, h.run("SCARD", "s"));
        assertEquals(0L, h.run("SISMEMBER", "s", popped));
        assertEquals(List.of("0:SREM s " + popped), h.effects());
        assertNull(h.run("SPOP", "missing"));
    }

    @Test
    void poppingTheLastMemberDeletesTheKeyButStillLogsSrem() {
        h.run("SADD", "s", "7");
        h.logged.clear();
        assertEquals("7", h.run("SPOP", "s"));
        assertEquals(0L, h.run("EXISTS", "s"));
        assertEquals(List.of("0:SREM s 7"), h.effects());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void spopWithACountRepliesASetAndLogsOneSremPerMember(int protocol) {
        EngineHarness h = harness(protocol);
        h.run("SADD", "s", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
        Object reply = h.run("SPOP", "s", "3");
        assertSetShape(protocol, reply);
        List<String> popped = ordered(reply);
        assertEquals(3, new HashSet<>(popped).size());
        assertEquals(7L, h.run("SCARD", "s"));
        List<String> effects = h.effects();
        assertEquals(popped.stream().map(m -> "0:SREM s " + m).toList(), effects.subList(1, effects.size()));
        EngineHarness copy = replayed(h, 0);
        assertEquals(members(h.run("SMEMBERS", "s")), members(copy.run("SMEMBERS", "s")));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void spopOfTheWholeSetRepliesItAsSunionWouldAndLogsDel(int protocol) {
        EngineHarness h = harness(protocol);
        h.run("SADD", "s", "3", "1", "2");
        h.logged.clear();
        Object reply = h.run("SPOP", "s", "5");
        assertSetShape(protocol, reply);
        assertEquals(List.of("1", "2", "3"), ordered(reply));
        assertEquals(0L, h.run("EXISTS", "s"));
        assertEquals(List.of("0:DEL s"), h.effects());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void spopCountErrorsAndEmptyAnswers(int protocol) {
        EngineHarness h = harness(protocol);
        h.run("SADD", "s", "a");
        String positive = "ERR value is out of range, must be positive";
        assertEquals(err(positive), h.run("SPOP", "s", "-1"));
        assertEquals(err(positive), h.run("SPOP", "s", "abc"));
        assertEquals(err(positive), h.run("SPOP", "missing", "-1"), "the count is checked before the key");
        assertEquals(err("ERR syntax error"), h.run("SPOP", "s", "1", "2"));
        for (String[] empty : new String[][]{{"SPOP", "s", "0"}, {"SPOP", "missing", "3"}}) {
            Object reply = h.run(empty);
            assertSetShape(protocol, reply);
            assertTrue(((Collection<?>) reply).isEmpty());
        }
        h.logged.clear();
        h.run("SPOP", "s", "0");
        assertEquals(List.of(), h.effects(), "popping nothing logs nothing");
    }

    /**
     * When few members would remain, Redis rebuilds the set from the survivors: the new set takes the
     * encoding a fresh set of them has (a hashtable of integers becomes an intset) and keeps the TTL.
     */
    @Test
    void spopLeavingFewMembersRebuildsTheSetAsRedisDoes() {
        String[] args = IntStream.rangeClosed(1, 600).mapToObj(Integer::toString).toArray(String[]::new);
        h.run(concat(new String[]{"SADD", "s"}, args));
        h.run("EXPIRE", "s", "100");
        assertEquals("hashtable", encoding(h, "s"));
        int effectsBefore = h.effects().size();
        List<String> popped = ordered(h.run("SPOP", "s", "550"));
        assertEquals(550, new HashSet<>(popped).size());
        assertEquals(50L, h.run("SCARD", "s"));
        assertEquals("intset", encoding(h, "s"));
        assertEquals(100L, h.run("TTL", "s"));
        Set<String> left = members(h.run("SMEMBERS", "s"));
        for (String m : popped) {
            assertTrue(!left.contains(m));
        }
        assertEquals(550, h.effects().size() - effectsBefore);
        assertEquals(left, members(replayed(h, 0).run("SMEMBERS", "s")));
    }

    @Test
    void spopCountsAChangePerMemberPopped() {
        h.run("SADD", "s", "a", "b", "c", "d");
        long before = h.engine.keyspace().dirty();
        h.run("SPOP", "s", "2");
        assertEquals(before + 2, h.engine.keyspace().dirty());
        h.run("SPOP", "s", "9");
        assertEquals(before + 4, h.engine.keyspace().dirty());
    }

    // ---- SRANDMEMBER -------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void srandmemberShapes(int protocol) {
        EngineHarness h = harness(protocol);
        h.run("SADD", "s", "1", "2", "3");
        assertTrue(setOf("1", "2", "3").contains((String) h.run("SRANDMEMBER", "s")));
        assertNull(h.run("SRANDMEMBER", "missing"));
        Object all = h.run("SRANDMEMBER", "s", "10");
        assertInstanceOf(List.class, all, "an array in both protocols");
        assertEquals(List.of("1", "2", "3"), all, "the whole intset, in order");
        List<String> two = ordered(h.run("SRANDMEMBER", "s", "2"));
        assertEquals(2, new HashSet<>(two).size());
        List<String> repeats = ordered(h.run("SRANDMEMBER", "s", "-20"));
        assertEquals(20, repeats.size());
        assertTrue(setOf("1", "2", "3").containsAll(repeats));
        assertEquals(List.of(), h.run("SRANDMEMBER", "s", "0"));
        assertEquals(List.of(), h.run("SRANDMEMBER", "missing", "-5"));
        assertEquals(3L, h.run("SCARD", "s"), "nothing removed");
    }

    @Test
    void srandmemberCountErrors() {
        h.run("SADD", "s", "a");
        assertEquals(err("ERR value is not an integer or out of range"), h.run("SRANDMEMBER", "s", "abc"));
        assertEquals(err("ERR value is not an integer or out of range"), h.run("SRANDMEMBER", "missing", "abc"));
        assertEquals(err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"),
                h.run("SRANDMEMBER", "s", "-9223372036854775808"));
        assertEquals(err("ERR syntax error"), h.run("SRANDMEMBER", "s", "1", "2"));
        // Redis would try to build the reply and run out of memory; a reply holds at most 2^31-1 elements here.
        assertEquals(err("ERR count is too large: a reply holds at most 2147483647 elements"),
                h.run("SRANDMEMBER", "s", "-2147483648"));
    }

    @Test
    void srandmemberOfAHashtableReturnsDistinctMembersForEveryStrategy() {
        Set<String> all = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            all.add("m" + i);
            h.run("SADD", "s", "m" + i);
        }
        for (int count : new int[]{1, 5, 13, 14, 30, 39, 40, 41}) {
            List<String> reply = ordered(h.run("SRANDMEMBER", "s", Integer.toString(count)));
            assertEquals(Math.min(count, 40), reply.size(), "count " + count);
            assertEquals(reply.size(), new HashSet<>(reply).size(), "distinct for count " + count);
            assertTrue(all.containsAll(reply));
        }
    }

    // ---- SMOVE -------------------------------------------------------------------------------------

    @Test
    void smoveMovesAMemberAndCreatesOrDeletesKeys() {
        h.run("SADD", "from", "a", "b");
        assertEquals(1L, h.run("SMOVE", "from", "to", "a"));
        assertEquals(setOf("b"), members(h.run("SMEMBERS", "from")));
        assertEquals(setOf("a"), members(h.run("SMEMBERS", "to")));
        assertEquals("hashtable", encoding(h, "to"));
        assertEquals(0L, h.run("SMOVE", "from", "to", "zz"));
        assertEquals(1L, h.run("SMOVE", "from", "to", "b"));
        assertEquals(0L, h.run("EXISTS", "from"));
        assertEquals(0L, h.run("SMOVE", "missing", "to", "a"));
        h.run("SADD", "to", "1");
        h.run("SADD", "ints", "1", "2");
        assertEquals(1L, h.run("SMOVE", "ints", "to", "1"), "already in the destination: still moved");
        assertEquals(setOf("2"), members(h.run("SMEMBERS", "ints")));
        assertEquals(1L, h.run("SMOVE", "ints", "fresh", "2"));
        assertEquals("intset", encoding(h, "fresh"));
    }

    @Test
    void smoveChecksAMissingSourceBeforeTypesAndTheSameKeyAfter() {
        h.run("SET", "str", "x");
        h.run("SADD", "s", "1", "2");
        assertEquals(0L, h.run("SMOVE", "missing", "str", "1"));
        assertEquals(err(WRONGTYPE), h.run("SMOVE", "s", "str", "1"));
        assertEquals(err(WRONGTYPE), h.run("SMOVE", "str", "s", "1"));
        h.logged.clear();
        assertEquals(1L, h.run("SMOVE", "s", "s", "1"));
        assertEquals(0L, h.run("SMOVE", "s", "s", "5"));
        assertEquals(setOf("1", "2"), members(h.run("SMEMBERS", "s")));
        assertEquals(List.of(), h.effects(), "a move onto the same key changes nothing");
    }

    @Test
    void smoveLogsItselfAndReplays() {
        h.run("SADD", "a", "x", "y");
        h.run("SADD", "b", "z");
        h.logged.clear();
        h.run("SMOVE", "a", "b", "x");
        assertEquals(List.of("0:SMOVE a b x"), h.effects());
    }

    // ---- SSCAN -------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void sscanOfAnIntsetReturnsEverythingWithCursorZero(int protocol) {
        EngineHarness h = harness(protocol);
        h.run("SADD", "s", "3", "1", "20", "2");
        assertEquals(List.of("0", List.of("1", "2", "3", "20")), h.run("SSCAN", "s", "0", "COUNT", "1"));
        assertEquals(List.of("0", List.of("1", "2", "3", "20")), h.run("SSCAN", "s", "12345"));
        assertEquals(List.of("0", List.of("2", "20")), h.run("SSCAN", "s", "0", "MATCH", "2*"));
        assertEquals(List.of("0", List.of()), h.run("SSCAN", "missing", "0", "COUNT", "0"),
                "a missing key answers before the options are read");
    }

    @Test
    void sscanOfAHashtableVisitsEveryMemberOnceWithCount() {
        Set<String> all = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            all.add("member:" + i);
            h.run("SADD", "s", "member:" + i);
        }
        for (String count : List.of("1", "7", "10", "1000")) {
            List<String> seen = new ArrayList<>();
            String cursor = "0";
            int steps = 0;
            do {
                List<?> reply = (List<?>) h.run("SSCAN", "s", cursor, "COUNT", count);
                cursor = (String) reply.get(0);
                seen.addAll(ordered(reply.get(1)));
                steps++;
            } while (!cursor.equals("0"));
            assertEquals(300, seen.size(), "count " + count);
            assertEquals(all, new HashSet<>(seen));
            assertTrue(steps >= 300 / Integer.parseInt(count), "about COUNT members a step");
        }
        List<?> matched = (List<?>) h.run("SSCAN", "s", "0", "MATCH", "member:1?", "COUNT", "1000");
        assertEquals(IntStream.range(10, 20).mapToObj(i -> "member:" + i).collect(Collectors.toSet()),
                members(matched.get(1)));
    }

    @Test
    void sscanArgumentErrors() {
        h.run("SADD", "s", "a");
        h.run("SET", "str", "x");
        assertEquals(err("ERR invalid cursor"), h.run("SSCAN", "s", "abc"));
        assertEquals(err("ERR invalid cursor"), h.run("SSCAN", "str", "abc"), "the cursor is checked first");
        assertEquals(err("ERR invalid cursor"), h.run("SSCAN", "missing", "-"));
        assertEquals(err("ERR syntax error"), h.run("SSCAN", "s", "0", "COUNT", "0"));
        assertEquals(err("ERR value is not an integer or out of range"), h.run("SSCAN", "s", "0", "COUNT", "x"));
        assertEquals(err("ERR syntax error"), h.run("SSCAN", "s", "0", "TYPE", "set"));
        assertEquals(err("ERR syntax error"), h.run("SSCAN", "s", "0", "MATCH"));
        assertEquals("0", ((List<?>) h.run("SSCAN", "s", "18446744073709551615")).get(0),
                "the largest cursor is valid and ends the scan");
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
