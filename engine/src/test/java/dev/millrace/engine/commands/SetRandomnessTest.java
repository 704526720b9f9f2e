package dev.millrace.engine.commands;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static dev.millrace.engine.commands.SetCommandsTest.encoding;
import static dev.millrace.engine.commands.SetCommandsTest.ordered;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SRANDMEMBER and SPOP draw members uniformly, in every strategy they use, for both encodings: as
 * Redis's own test suite does ("SRANDMEMBER histogram distribution"), the members drawn are counted
 * and Pearson's chi-square statistic compared with the value a uniform draw exceeds with probability
 * 1e-5 (so a correct implementation fails about once in 100,000 runs; a biased one, like always
 * favouring one end of the set, fails at once).
 */
class SetRandomnessTest {
    /** The normal quantile of 1 - 1e-5. */
    private static final double Z = 4.265;

    static Stream<Arguments> sets() {
        return Stream.of(
                Arguments.of("intset", IntStream.range(0, 10).mapToObj(i -> Integer.toString(i * 7 - 20)).toList(), 10),
                Arguments.of("hashtable", IntStream.range(0, 10).mapToObj(i -> "member-" + i).toList(), 10),
                Arguments.of("hashtable", IntStream.range(0, 300).mapToObj(i -> "m" + i).toList(), 300));
    }

    private static EngineHarness setUp(String encoding, List<String> members) {
        EngineHarness h = new EngineHarness();
        add(h, members);
        assertEquals(encoding, encoding(h, "s"));
        return h;
    }

    private static void add(EngineHarness h, List<String> members) {
        List<String> args = new ArrayList<>(List.of("SADD", "s"));
        args.addAll(members);
        h.run(args.toArray(String[]::new));
    }

    @ParameterizedTest(name = "{0} of {2} members")
    @MethodSource("sets")
    void srandmemberWithRepeatsIsUniform(String encoding, List<String> members, int size) {
        EngineHarness h = setUp(encoding, members);
        List<String> drawn = ordered(h.run("SRANDMEMBER", "s", Integer.toString(-200 * members.size())));
        assertUniform(members, drawn);
    }

    @ParameterizedTest(name = "{0} of {2} members")
    @MethodSource("sets")
    void srandmemberWithoutCountIsUniform(String encoding, List<String> members, int size) {
        EngineHarness h = setUp(encoding, members);
        List<String> drawn = new ArrayList<>();
        for (int i = 0; i < 100 * members.size(); i++) {
            drawn.add((String) h.run("SRANDMEMBER", "s"));
        }
        assertUniform(members, drawn);
    }

    /** Counts over a third of the set walk it (Redis's CASE 3); smaller ones draw indexes (CASE 4). */
    @ParameterizedTest(name = "{0} of {2} members")
    @MethodSource("sets")
    void srandmemberOfDistinctMembersIsUniformInBothStrategies(String encoding, List<String> members, int size) {
        EngineHarness h = setUp(encoding, members);
        for (int count : new int[]{2, size / 3, size / 3 + 1, size - 1}) {
            List<String> drawn = new ArrayList<>();
            int draws = 200 * size / count;
            for (int i = 0; i < draws; i++) {
                List<String> reply = ordered(h.run("SRANDMEMBER", "s", Integer.toString(count)));
                assertEquals(count, reply.stream().distinct().count(), "distinct members");
                drawn.addAll(reply);
            }
            assertUniform(members, drawn);
        }
    }

    @ParameterizedTest(name = "{0} of {2} members")
    @MethodSource("sets")
    void spopIsUniform(String encoding, List<String> members, int size) {
        EngineHarness h = setUp(encoding, members);
        List<String> drawn = new ArrayList<>();
        for (int i = 0; i < 100 * members.size(); i++) {
            String popped = (String) h.run("SPOP", "s");
            drawn.add(popped);
            h.run("SADD", "s", popped);
        }
        assertUniform(members, drawn);
    }

    /**
     * SPOP with a count pops one by one while many members would remain, and picks the survivors when
     * few would (Redis's SPOP_MOVE_STRATEGY_MUL): both must pop every member equally often.
     */
    @ParameterizedTest(name = "{0} of {2} members")
    @MethodSource("sets")
    void spopWithACountIsUniformInBothStrategies(String encoding, List<String> members, int size) {
        EngineHarness h = setUp(encoding, members);
        for (int count : new int[]{2, size - 2, size - 1}) {
            List<String> drawn = new ArrayList<>();
            int draws = 100 * size / count;
            for (int i = 0; i < draws; i++) {
                List<String> popped = ordered(h.run("SPOP", "s", Integer.toString(count)));
                assertEquals(size - count, (long) (Long) h.run("SCARD", "s"));
                drawn.addAll(popped);
                add(h, popped);
            }
            assertUniform(members, drawn);
        }
    }

    /** Pearson's chi-square of the draws against a uniform distribution over {@code members}. */
    private static void assertUniform(List<String> members, List<String> drawn) {
        Map<String, Integer> counts = new HashMap<>();
        for (String m : drawn) {
            assertTrue(members.contains(m), "drew a non-member " + m);
            counts.merge(m, 1, Integer::sum);
        }
        double expected = (double) drawn.size() / members.size();
        double chiSquare = 0;
        for (String m : members) {
            double d = counts.getOrDefault(m, 0) - expected;
            chiSquare += d * d / expected;
        }
        double critical = criticalValue(members.size() - 1);
        assertTrue(chiSquare < critical, "chi-square " + chiSquare + " >= " + critical + " over " + drawn.size()
                + " draws: " + counts);
    }

    /** The chi-square value exceeded with probability 1e-5 (Wilson-Hilferty approximation). */
    private static double criticalValue(int degreesOfFreedom) {
        double k = degreesOfFreedom;
        double a = 2 / (9 * k);
        return k * Math.pow(1 - a + Z * Math.sqrt(a), 3);
    }
}
