package dev.millrace.engine.types;

import dev.millrace.engine.keyspace.MemoryKeyStore;
import dev.millrace.engine.keyspace.ObjectPages;
import dev.millrace.engine.util.Numbers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SetValue} and {@link SetResult} against a {@link HashSet} model: seeded random adds and
 * removes (integers, integer-like strings that are not canonical, other strings) with a small intset
 * limit, so every run crosses from intset to hashtable; after each step the members, the size, the
 * order of iteration, access by index, the encoding Redis would have and (every tenth step) a full
 * SSCAN are compared.
 * The hashtable's pages live in a {@link MemoryKeyStore} through {@link ObjectPages}.
 */
class SetValuePropertiesTest {
    private static final long INTSET_LIMIT = 40;

    static LongStream seeds() {
        return LongStream.range(0, 30).map(i -> i * 0x9E3779B97F4A7C15L + 11);
    }

    /** A member: mostly small integers (so removals hit), sometimes a non-canonical one or a word. */
    private static String randomMember(Random random, boolean integersOnly) {
        int kind = random.nextInt(integersOnly ? 1 : 20);
        return switch (kind) {
            case 0 -> Integer.toString(random.nextInt(200) - 100);
            case 1 -> "0" + random.nextInt(10);
            case 2 -> "m" + random.nextInt(300);
            default -> Integer.toString(random.nextInt(200) - 100);
        };
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void setValueBehavesLikeAHashSetAcrossTheConversion(long seed) {
        Random random = new Random(seed);
        MemoryKeyStore store = new MemoryKeyStore(1);
        SetValue set = SetValue.ofIntSet(IntSet.empty(), INTSET_LIMIT, () -> ObjectPages.create(store));
        Set<String> model = new HashSet<>();
        boolean converted = false;
        // The first part adds integers only so the intset grows to its limit; then anything goes.
        for (int step = 0; step < 1500; step++) {
            boolean integersOnly = step < 300;
            String member = randomMember(random, integersOnly);
            int op = random.nextInt(10);
            if (op < 5) {
                assertEquals(model.add(member), set.add(bytes(member)), "add " + member);
            } else if (op < 8) {
                assertEquals(model.remove(member), set.remove(bytes(member)), "remove " + member);
            } else if (op < 9 && !model.isEmpty()) {
                long index = random.nextInt(model.size());
                byte[] expected = set.member(index);
                byte[] removed = set.removeAt(index);
                assertArrayEquals(expected, removed);
                assertTrue(model.remove(text(removed)));
            } else {
                assertEquals(model.contains(member), set.contains(bytes(member)), "contains " + member);
            }
            converted |= !allCanonicalIntegers(model) || model.size() > INTSET_LIMIT;
            assertEquals(!converted, set.isIntSet(), "encoding at step " + step);
            assertSameMembers(model, set, step % 10 == 0);
        }
        assertTrue(converted, "every run reaches the hashtable form");
    }

    private static boolean allCanonicalIntegers(Set<String> members) {
        return members.stream().allMatch(m -> Numbers.parseLong(bytes(m)) != null);
    }

    private static void assertSameMembers(Set<String> model, SetValue set, boolean scanToo) {
        assertEquals(model.size(), set.size());
        List<String> iterated = new ArrayList<>();
        set.iterator().forEachRemaining(m -> iterated.add(text(m)));
        assertEquals(model, new HashSet<>(iterated));
        assertEquals(model.size(), iterated.size(), "no member twice");
        if (set.isIntSet()) {
            List<Long> numbers = iterated.stream().map(Long::parseLong).toList();
            assertEquals(numbers.stream().sorted().toList(), numbers, "an intset iterates in ascending order");
        }
        for (int i = 0; i < iterated.size(); i += 7) {
            assertEquals(iterated.get(i), text(set.member(i)), "member(" + i + ") is the i-th of iteration");
        }
        if (scanToo) {
            assertEquals(model, scanAll(set, 1 + model.size() / 5));
        }
    }

    private static Set<String> scanAll(SetValue set, long count) {
        Set<String> seen = new HashSet<>();
        long cursor = 0;
        int steps = 0;
        do {
            cursor = set.scan(cursor, count, m -> assertTrue(seen.add(text(m)), "scanned twice: " + text(m)));
            assertTrue(++steps <= set.size() + 1, "the scan ends");
        } while (cursor != 0);
        return seen;
    }

    @Test
    void aScanResumedAfterChangesReturnsEveryMemberPresentThroughout() {
        MemoryKeyStore store = new MemoryKeyStore(1);
        SetValue set = SetValue.createFor(bytes("x"), INTSET_LIMIT, () -> ObjectPages.create(store));
        Set<String> stable = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            set.add(bytes("stable:" + i));
            stable.add("stable:" + i);
        }
        Random random = new Random(5);
        Set<String> seen = new HashSet<>();
        long cursor = 0;
        int churn = 0;
        do {
            cursor = set.scan(cursor, 50, m -> seen.add(text(m)));
            for (int i = 0; i < 20; i++) {
                set.add(bytes("churn:" + churn++));
                set.remove(bytes("churn:" + random.nextInt(churn)));
            }
        } while (cursor != 0);
        assertTrue(seen.containsAll(stable));
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void setResultBehavesLikeAHashSetAndConvertsAsRedisTemporarySet(long seed) {
        Random random = new Random(seed);
        SetResult result = new SetResult(INTSET_LIMIT);
        Set<String> model = new HashSet<>();
        boolean converted = false;
        for (int step = 0; step < 600; step++) {
            String member = randomMember(random, step < 150);
            if (random.nextInt(3) < 2) {
                assertEquals(model.add(member), result.add(bytes(member)));
            } else {
                assertEquals(model.remove(member), result.remove(bytes(member)));
            }
            converted |= !allCanonicalIntegers(model) || model.size() > INTSET_LIMIT;
            assertEquals(!converted, result.isIntSet(), "encoding at step " + step);
            assertEquals(model.size(), result.size());
            List<String> visited = new ArrayList<>();
            result.forEach(m -> visited.add(text(m)));
            assertEquals(model, new HashSet<>(visited));
            if (result.isIntSet()) {
                List<Long> numbers = visited.stream().map(Long::parseLong).toList();
                assertEquals(numbers.stream().sorted().toList(), numbers);
                assertEquals(visited, intsetMembers(result.toIntSet()));
            }
        }
    }

    private static List<String> intsetMembers(byte[] intset) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < IntSet.size(intset); i++) {
            out.add(Long.toString(IntSet.get(intset, i)));
        }
        return out;
    }

    @Test
    void intsetWidensToTheLargestElementAndKeepsOrder() {
        byte[] set = IntSet.empty();
        long[] values = {5, -3, 40_000, -70_000, Long.MAX_VALUE, Long.MIN_VALUE, 0, 32_767, -32_768, 7};
        for (long v : values) {
            set = IntSet.add(set, v);
        }
        assertEquals(10, IntSet.size(set));
        assertEquals(8, set[0], "8-byte width once a 64-bit value is in");
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < IntSet.size(set); i++) {
            assertTrue(i == 0 || IntSet.get(set, i) > previous);
            previous = IntSet.get(set, i);
        }
        for (long v : values) {
            assertTrue(IntSet.contains(set, v));
            set = IntSet.remove(set, v);
            assertFalse(IntSet.contains(set, v));
        }
        assertEquals(0, IntSet.size(set));
        byte[] small = IntSet.add(IntSet.add(IntSet.empty(), 1), -32_768);
        assertEquals(2, small[0], "16-bit values take 2 bytes each");
        assertEquals(5, small.length);
        Iterator<byte[]> none = SetValue.ofIntSet(IntSet.empty(), 1, () -> null).iterator();
        assertFalse(none.hasNext());
    }
}
