package dev.millrace.engine.notify;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Replays scenarios recorded from redis-server 7.0.15 with {@code notify-keyspace-events KEAn} (key
 * misses: {@code KEm}): each
 * "> command" line is followed by the events Redis published for it ("event key", "@db event key"
 * outside database 0), in order. The whole transcript must come out the same, so a missing, extra or
 * reordered event shows in the diff. Every write command of Redis 7.0 appears in some scenario,
 * including its no-change, key-creating and key-emptying cases.
 */
class RecordedScenariosTest {

    @ParameterizedTest(name = "{0} with {1} in RESP{2}")
    @CsvSource({"string,KEAn,2", "keys,KEAn,2", "list,KEAn,2", "set,KEAn,2", "zset,KEAn,2", "hash,KEAn,2",
            "stream,KEAn,2", "other,KEAn,2", "db,KEAn,2", "keymiss,KEm,2", "overwrite,KEAn,2", "list,KEAn,3", "keymiss,KEm,3"})
    void publishesWhatRedisPublished(String scenario, String classes, int protocol) throws IOException {
        EngineHarness h = new EngineHarness(protocol);
        h.run("CONFIG", "SET", "notify-keyspace-events", classes);
        PublishedEvents published = new PublishedEvents(h);
        List<String> mismatches = new ArrayList<>();
        String command = null;
        List<String> expected = new ArrayList<>();
        for (String line : lines(scenario + ".events")) {
            if (!line.startsWith("> ")) {
                expected.add(line);
                continue;
            }
            check(command, expected, published, mismatches);
            command = line.substring(2);
            expected = new ArrayList<>();
            h.run(words(command));
        }
        check(command, expected, published, mismatches);
        assertEquals(List.of(), mismatches);
    }

    /** Compares the events of one command with the recorded ones; a mismatch is noted, not thrown. */
    private static void check(String command, List<String> expected, PublishedEvents published, List<String> mismatches) {
        if (command == null) {
            return;
        }
        List<String> actual = published.takeEvents();
        if (!actual.equals(expected)) {
            mismatches.add(command + ": expected " + expected + " but was " + actual);
        }
    }

    private static List<String> lines(String resource) throws IOException {
        try (InputStream in = RecordedScenariosTest.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    /** A command line split on spaces; {@code ""} is an empty argument. */
    private static String[] words(String command) {
        return Arrays.stream(command.trim().split("\\s+")).map(w -> w.equals("\"\"") ? "" : w).toArray(String[]::new);
    }
}
