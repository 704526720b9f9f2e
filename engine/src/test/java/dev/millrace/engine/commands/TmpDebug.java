package dev.millrace.engine.commands;
import dev.millrace.engine.testing.EngineHarness;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
class TmpDebug {
    @org.junit.jupiter.api.Test
    void run() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("src/test/resources/dev/millrace/engine/commands/sort.golden"), StandardCharsets.ISO_8859_1);
        EngineHarness h = new EngineHarness();
        for (GoldenReplies.Step step : GoldenReplies.parse(lines)) {
            for (String d : step.directives()) GoldenReplies.applyToEngine(h, d);
            Object r = h.run(step.argv().toArray(new byte[0][]));
            System.out.println(step.commandLine() + " => " + r);
        }
    }
}
