package dev.millrace.engine.command;

import dev.millrace.engine.testing.EngineHarness;
import dev.millrace.engine.testing.RespEncoder;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** COMMAND INFO is byte-identical to Redis 7.0.15's for every command of the table Redis 7.0.15 has. */
class CommandInfoGoldenTest {

    private static List<String[]> golden() throws IOException {
        List<String[]> rows = new ArrayList<>();
        try (InputStream in = CommandInfoGoldenTest.class.getResourceAsStream("redis-7.0.15-command-info.golden")) {
            assertNotNull(in, "golden file");
            for (String line : new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1)).lines().toList()) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    rows.add(line.split("\t"));
                }
            }
        }
        return rows;
    }

    private static String commandInfo(EngineHarness h, String name) {
        RespEncoder out = new RespEncoder(h.session.protocol());
        h.engine.execute(h.session, new byte[][]{"COMMAND".getBytes(), "INFO".getBytes(),
                name.getBytes(StandardCharsets.ISO_8859_1)}, out);
        return out.escaped();
    }

    @Test
    void commandInfoMatchesRedisByteForByteInBothProtocols() throws IOException {
        EngineHarness resp2 = new EngineHarness(2);
        EngineHarness resp3 = new EngineHarness(3);
        List<String[]> rows = golden();
        assertTrue(rows.size() >= 90, "golden rows: " + rows.size());
        int compared = 0;
        for (String[] row : rows) {
            if (resp2.engine.dispatcher().table().lookupFullName(row[0]) == null) {
                continue;
            }
            assertEquals(row[1], commandInfo(resp2, row[0]), "RESP2 COMMAND INFO " + row[0]);
            assertEquals(row[2], commandInfo(resp3, row[0]), "RESP3 COMMAND INFO " + row[0]);
            compared++;
        }
        assertEquals(rows.size(), compared, "every golden command is in the table");
    }
}
