package dev.millrace.engine.command;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The table file's format: every shipped entry parses into consistent facts and docs; bad lines are refused. */
class CommandTableFormatTest {
    private final CommandTable table = CommandTable.load();

    @Test
    void everyEntryHasAritySupportedFlagsAndLegacyKeysConsistentWithItsSpecs() {
        for (CommandSpec spec : table.all()) {
            assertNotEquals(0, spec.arity(), spec.name());
            assertTrue(CommandSpec.KNOWN_FLAGS.containsAll(spec.flags()), spec.name());
            spec.aclCategories().forEach(c -> assertTrue(c.startsWith("@"), spec.name() + " " + c));
            if (spec.firstKey() > 0) {
                assertTrue(spec.keyStep() > 0, spec.name());
                assertTrue(!spec.keySpecs().isEmpty(), spec.name() + " has legacy keys but no key specs");
            }
            for (CommandSpec.KeySpec ks : spec.keySpecs()) {
                assertTrue(List.of("index", "keyword", CommandSpec.UNKNOWN).contains(ks.beginSearch()), spec.name());
                assertTrue(List.of("range", "keynum", CommandSpec.UNKNOWN).contains(ks.findKeys()), spec.name());
                if (ks.isUnknown()) {
                    assertTrue(spec.hasFlag("movablekeys"), spec.name() + ": an unknown key spec needs a key procedure");
                }
                assertEquals(CommandSpec.KEY_SPEC_FLAGS.stream().filter(ks.flags()::contains).toList(), ks.flags(),
                        spec.name() + " key spec flags in display order");
            }
        }
    }

    @Test
    void everyEntryHasDocsWhoseKeyArgumentsPointAtItsKeySpecs() {
        for (CommandSpec spec : table.all()) {
            CommandSpec.Docs docs = spec.docs();
            assertNotNull(docs.summary(), spec.name() + " summary");
            assertNotNull(docs.since(), spec.name() + " since");
            assertNotNull(docs.group(), spec.name() + " group");
            assertNotNull(docs.complexity(), spec.name() + " complexity");
            checkArgs(spec, docs.arguments());
        }
    }

    private static void checkArgs(CommandSpec spec, List<CommandSpec.Arg> args) {
        for (CommandSpec.Arg arg : args) {
            if (arg.type().equals("key")) {
                assertTrue(arg.keySpecIndex() >= 0 && arg.keySpecIndex() < spec.keySpecs().size(),
                        spec.name() + " arg " + arg.name());
            }
            boolean nested = arg.type().equals("oneof") || arg.type().equals("block");
            assertEquals(nested, !arg.arguments().isEmpty(), spec.name() + " arg " + arg.name());
            checkArgs(spec, arg.arguments());
        }
    }

    @Test
    void detailLinesBuildNestedArgumentsNotesAndHistory() {
        CommandTable t = CommandTable.parse(List.of(
                "# comment",
                "demo  -2  write,fast  1,1,1  @write,@fast  -  UPDATE,RW/index:1/range:0:1:0",
                "  summary     Does a demo",
                "  since       1.0.0",
                "  group       generic",
                "  complexity  O(1)",
                "  history     2.0.0 Grew an option.",
                "  keynote     0 a remark with spaces",
                "  arg key key key=0",
                "  arg mode oneof optional since=2.0.0",
                "    arg fast pure-token token=FAST",
                "    arg slow block token=SLOW",
                "      arg n integer multiple",
                "  arg tail string optional multiple_token"));
        CommandSpec demo = t.lookup("DEMO");
        assertEquals(List.of("RW", "UPDATE"), demo.keySpecs().get(0).flags());
        assertEquals("a remark with spaces", demo.keySpecs().get(0).notes());
        assertEquals(List.of(new CommandSpec.History("2.0.0", "Grew an option.")), demo.docs().history());
        List<CommandSpec.Arg> args = demo.docs().arguments();
        assertEquals(3, args.size());
        assertEquals(0, args.get(0).keySpecIndex());
        assertEquals(List.of("optional"), args.get(1).flags());
        assertEquals("2.0.0", args.get(1).since());
        assertEquals("FAST", args.get(1).arguments().get(0).token());
        assertEquals("n", args.get(1).arguments().get(1).arguments().get(0).name());
        assertEquals(List.of("optional", "multiple_token"), args.get(2).flags());
        assertNull(args.get(2).token());
    }

    @Test
    void malformedLinesAreRefused() {
        assertThrows(IllegalStateException.class, () -> CommandTable.parse(List.of("x 1 fast 0,0,0 @fast -")));
        assertThrows(IllegalStateException.class, () -> CommandTable.parse(List.of("x 1 quick 0,0,0 @fast - -")));
        assertThrows(IllegalStateException.class, () -> CommandTable.parse(List.of("x 1 fast 0,0,0 @fast - -", "  colour red")));
        assertThrows(IllegalStateException.class, () -> CommandTable.parse(List.of("x 1 fast 0,0,0 @fast - -", "  arg a number")));
        assertThrows(IllegalStateException.class, () -> CommandTable.parse(List.of("x 1 fast 0,0,0 @fast - -", "  arg a string often")));
        assertThrows(IllegalStateException.class, () -> CommandTable.parse(List.of("  summary orphan")));
        assertThrows(IllegalStateException.class, () -> CommandTable.parse(List.of("x|y 2 fast 0,0,0 @fast - -")));
    }

    @Test
    void fullNamesFindSubcommandsInAnyCase() {
        assertEquals("client|list", table.lookupFullName("CLIENT|List").name());
        assertEquals("get", table.lookupFullName("get").name());
        assertNull(table.lookupFullName("get|x"));
        assertNull(table.lookupFullName("client|nosuch"));
        assertNull(table.lookupFullName("client|list|x"));
    }
}
