package dev.millrace.protocol.compat;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** How a compat script reads: redis-cli's quoting and the runner's directives. */
class CompatScriptTest {
    private static byte[][] split(String line) {
        return CompatScript.split(line, 1);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void argumentsSplitAsRedisCliSplitsThem() {
        assertArrayEquals(new byte[][] {b("SET"), b("k"), b("a b")}, split("  SET k \"a b\"  "));
        assertArrayEquals(new byte[][] {b("\0\u00ff\r\n\t\"\\q")}, split("\"\\x00\\xff\\r\\n\\t\\\"\\\\\\q\""));
        assertArrayEquals(new byte[][] {b("it's"), b("a\\nb")}, split("'it\\'s' 'a\\nb'"));
        assertArrayEquals(new byte[][] {b(""), b("x")}, split("\"\" x"));
        assertArrayEquals(new byte[][] {"é".getBytes(StandardCharsets.UTF_8)}, split("é"), "text is UTF-8");
        assertThrows(IllegalArgumentException.class, () -> split("\"open"));
        assertThrows(IllegalArgumentException.class, () -> split("\"a\"b"));
    }

    @Test
    void linesBecomeSteps() throws IOException {
        String text = String.join("\n",
                "# a comment", "", "GET k", "~CLIENT ID", "#> \"PING\\r\\n\"", "#>2 \"PING\\r\\nPING\\r\\n\"",
                "#needs RPUSH", "RPUSH l a");
        List<CompatScript.Step> steps = CompatScript.load("t", new ByteArrayInputStream(b(text))).steps();
        assertEquals(List.of(CompatScript.Kind.COMPARE, CompatScript.Kind.SEND_ONLY, CompatScript.Kind.RAW,
                CompatScript.Kind.RAW, CompatScript.Kind.NEEDS, CompatScript.Kind.COMPARE),
                steps.stream().map(CompatScript.Step::kind).toList());
        assertEquals(3, steps.get(0).line());
        assertArrayEquals(new byte[][] {b("CLIENT"), b("ID")}, steps.get(1).args());
        assertArrayEquals(b("PING\r\n"), steps.get(2).args()[0]);
        assertEquals(1, steps.get(2).replies());
        assertEquals(2, steps.get(3).replies());
        assertArrayEquals(new byte[][] {b("RPUSH")}, steps.get(4).args());
    }
}
