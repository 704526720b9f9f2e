package dev.millrace.engine.command;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Key positions from key specs, as Redis's getKeysUsingKeySpecs finds them. */
class KeyFinderTest {
    private final CommandTable table = CommandTable.load();

    private static byte[][] argv(String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        return argv;
    }

    private static List<Integer> positions(CommandSpec spec, String... args) {
        List<KeyFinder.KeyRef> keys = KeyFinder.find(spec, argv(args));
        return keys == null ? null : keys.stream().map(KeyFinder.KeyRef::position).toList();
    }

    @Test
    void rangeSpecsOfShippedCommands() {
        assertEquals(List.of(1), positions(table.lookup("set"), "set", "k", "v", "EX", "10"));
        assertEquals(List.of(1, 3, 5), positions(table.lookup("mset"), "mset", "a", "1", "b", "2", "c", "3"));
        assertEquals(List.of(2, 3, 4), positions(table.lookup("bitop"), "bitop", "AND", "dest", "x", "y"));
        assertEquals(List.of(2), positions(table.lookup("object").subcommands().get("encoding"), "object", "encoding", "k"));
        assertFalse(KeyFinder.hasKeys(table.lookup("ping")));
        assertTrue(KeyFinder.hasKeys(table.lookup("get")));
    }

    @Test
    void variableFlagsFollowTheArguments() {
        CommandSpec set = table.lookup("set");
        assertEquals(List.of("OW", "UPDATE"), KeyFinder.find(set, argv("set", "k", "v")).get(0).flags());
        assertEquals(List.of("RW", "ACCESS", "UPDATE"), KeyFinder.find(set, argv("set", "k", "v", "get")).get(0).flags());
        CommandSpec bitfield = table.lookup("bitfield");
        assertEquals(List.of("RO", "ACCESS"), KeyFinder.find(bitfield, argv("bitfield", "k", "GET", "u8", "0")).get(0).flags());
        assertEquals(List.of("RW", "ACCESS", "UPDATE"),
                KeyFinder.find(bitfield, argv("bitfield", "k", "INCRBY", "u8", "0", "1")).get(0).flags());
    }

    @Test
    void keywordAndKeynumSpecs() {
        // Shapes of ZUNIONSTORE (keynum) and MIGRATE's KEYS (keyword, searched from the end).
        CommandTable t = CommandTable.parse(List.of(
                "zu  -4  write  1,1,1  @write  -  OW,UPDATE/index:1/range:0:1:0;RO,ACCESS/index:2/keynum:0:1:1",
                "mi  -6  write  0,0,0  @write  -  RW,ACCESS,DELETE/keyword:KEYS:-2/range:-1:1:0",
                "ev  -3  noscript,no_mandatory_keys  0,0,0  @slow  -  RW/index:2/keynum:0:1:1"));
        assertEquals(List.of(1, 3, 4), positions(t.lookup("zu"), "zu", "dst", "2", "a", "b", "WEIGHTS", "1", "2"));
        assertNull(positions(t.lookup("zu"), "zu", "dst", "x", "a"), "a count that is not a number");
        assertNull(positions(t.lookup("zu"), "zu", "dst", "5", "a"), "more keys than arguments");
        assertEquals(List.of(7, 8), positions(t.lookup("mi"), "mi", "h", "p", "", "0", "100", "KEYS", "a", "b"));
        assertEquals(List.of(), positions(t.lookup("mi"), "mi", "h", "p", "k", "0", "100"));
        assertEquals(List.of(), positions(t.lookup("ev"), "ev", "script", "0"));
    }
}
