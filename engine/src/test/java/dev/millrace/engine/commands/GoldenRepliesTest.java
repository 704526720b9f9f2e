package dev.millrace.engine.commands;

import dev.millrace.engine.testing.EngineHarness;
import dev.millrace.engine.testing.RespEncoder;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Replays the golden files (replies recorded from redis-server 7.0.15, see {@link GoldenReplies})
 * against the engine, in order, one dynamic test per command: every byte of every reply must match,
 * in RESP2 and RESP3. {@code -Dmillrace.golden.record=PORT} re-records the files from a real server
 * instead.
 */
class GoldenRepliesTest {
    private static final List<String> FILES = List.of("strings.golden", "bits.golden", "random.golden", "wrongtype.golden",
            "hyperloglog.golden", "hashes.golden", "zsets.golden", "geo.golden", "sort.golden");

    @TestFactory
    List<DynamicTest> repliesMatchRedis() throws IOException {
        String recordPort = System.getProperty("millrace.golden.record");
        if (recordPort != null) {
            for (String file : FILES) {
                GoldenReplies.record(Path.of("src/test/resources/dev/millrace/engine/commands", file),
                        Integer.parseInt(recordPort));
            }
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (String file : FILES) {
            List<String> lines;
            try (InputStream in = GoldenRepliesTest.class.getResourceAsStream(file)) {
                assertNotNull(in, file);
                lines = Arrays.asList(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).split("\n"));
            }
            EngineHarness h = new EngineHarness();
            for (GoldenReplies.Step step : GoldenReplies.parse(lines)) {
                tests.add(DynamicTest.dynamicTest(file + ":" + step.lineNumber() + " " + abbreviate(step.commandLine()), () -> {
                    for (String directive : step.directives()) {
                        GoldenReplies.applyToEngine(h, directive);
                    }
                    RespEncoder current = new RespEncoder(h.session.protocol());
                    h.engine.execute(h.session, step.argv().toArray(new byte[0][]), current);
                    assertNotNull(step.expected(), "no recorded reply");
                    assertEquals(step.expected(), GoldenReplies.escape(current.take()));
                }));
            }
        }
        return tests;
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
