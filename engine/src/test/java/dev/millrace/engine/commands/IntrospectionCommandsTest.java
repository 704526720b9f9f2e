package dev.millrace.engine.commands;

import dev.millrace.engine.command.CommandSpec;
import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IntrospectionCommandsTest {

    private static List<String> topLevelNames(EngineHarness h) {
        return h.engine.dispatcher().table().topLevel().stream().map(CommandSpec::name).toList();
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void commandAndCountCoverTheTopLevelCommands(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        List<?> all = (List<?>) h.run("COMMAND");
        assertEquals((long) all.size(), h.run("COMMAND", "COUNT"));
        assertEquals(topLevelNames(h), all.stream().map(e -> ((List<?>) e).get(0)).toList());
        assertEquals(all, h.run("COMMAND", "INFO"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void infoEntriesHaveTenFields(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        List<?> reply = (List<?>) h.run("COMMAND", "INFO", "get", "nosuch", "CLIENT|list", "client");
        List<?> get = (List<?>) reply.get(0);
        assertEquals(10, get.size());
        assertEquals(List.of("get", 2L, new LinkedHashSet<>(List.of("readonly", "fast")), 1L, 1L, 1L),
                get.subList(0, 6));
        assertEquals(new LinkedHashSet<>(List.of("@read", "@string", "@fast")), get.get(6));
        Map<?, ?> keySpec = (Map<?, ?>) ((Set<?>) get.get(8)).iterator().next();
        assertEquals(new LinkedHashSet<>(List.of("RO", "access")), keySpec.get("flags"));
        assertNull(reply.get(1));
        assertEquals("client|list", ((List<?>) reply.get(2)).get(0));
        List<?> subcommands = (List<?>) ((List<?>) reply.get(3)).get(9);
        assertEquals(h.engine.dispatcher().table().lookup("client").subcommands().size(), subcommands.size());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void docsHaveRedisShape(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        Map<?, ?> reply = (Map<?, ?>) h.run("COMMAND", "DOCS", "set", "nosuch", "getset", "config");
        assertEquals(List.of("set", "getset", "config"), new ArrayList<>(reply.keySet()));
        Map<?, ?> set = (Map<?, ?>) reply.get("set");
        assertEquals(List.of("summary", "since", "group", "complexity", "history", "arguments"), new ArrayList<>(set.keySet()));
        assertEquals("1.0.0", set.get("since"));
        assertEquals("string", set.get("group"));
        assertEquals(List.of("2.6.12", "6.0.0", "6.2.0", "7.0.0"),
                ((List<?>) set.get("history")).stream().map(e -> ((List<?>) e).get(0)).toList());
        List<?> args = (List<?>) set.get("arguments");
        assertEquals(Map.of("name", "key", "type", "key", "key_spec_index", 0L), args.get(0));
        Map<?, ?> condition = (Map<?, ?>) args.get(2);
        assertEquals(List.of("name", "type", "since", "flags", "arguments"), new ArrayList<>(condition.keySet()));
        assertEquals(new LinkedHashSet<>(List.of("optional")), condition.get("flags"));
        assertEquals("NX", ((Map<?, ?>) ((List<?>) condition.get("arguments")).get(0)).get("token"));
        Map<?, ?> getset = (Map<?, ?>) reply.get("getset");
        assertEquals(new LinkedHashSet<>(List.of("deprecated")), getset.get("doc_flags"));
        assertEquals("6.2.0", getset.get("deprecated_since"));
        Map<?, ?> config = (Map<?, ?>) reply.get("config");
        assertTrue(((Map<?, ?>) config.get("subcommands")).containsKey("config|get"));
        assertEquals(topLevelNames(h), new ArrayList<>(((Map<?, ?>) h.run("COMMAND", "DOCS")).keySet()));
    }

    @Test
    void listWithAndWithoutFilters() {
        EngineHarness h = new EngineHarness();
        List<?> all = (List<?>) h.run("COMMAND", "LIST");
        assertEquals(h.engine.dispatcher().table().all().size(), all.size());
        assertTrue(all.contains("client|kill"));
        assertEquals(List.of("client", "client|id", "client|setname", "client|getname", "client|list", "client|info",
                        "client|kill", "client|setinfo", "client|no-evict", "client|no-touch", "client|reply", "client|unblock",
                        "client|help", "client|tracking", "client|caching", "client|getredir", "client|trackinginfo"),
                h.run("COMMAND", "LIST", "FILTERBY", "PATTERN", "CLIENT*"));
        List<?> connection = (List<?>) h.run("COMMAND", "LIST", "FILTERBY", "ACLCAT", "CONNECTION");
        assertTrue(connection.contains("ping") && connection.contains("client|id") && !connection.contains("client"));
        assertEquals(List.of(), h.run("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"));
        assertEquals(List.of(), h.run("COMMAND", "LIST", "FILTERBY", "MODULE", "x"));
        assertEquals(err("ERR syntax error"), h.run("COMMAND", "LIST", "FILTERBY", "foo", "x"));
        assertEquals(err("ERR syntax error"), h.run("COMMAND", "LIST", "extra"));
        assertEquals(err("ERR syntax error"), h.run("COMMAND", "LIST", "FILTERBY", "ACLCAT", "x", "y"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void getKeysFromKeySpecs(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        assertEquals(List.of("k"), h.run("COMMAND", "GETKEYS", "SET", "k", "v", "EX", "10"));
        assertEquals(List.of("a", "b"), h.run("COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"));
        assertEquals(List.of("a", "b"), h.run("COMMAND", "GETKEYS", "MSET", "a", "1", "b"));
        assertEquals(List.of("dest", "x", "y"), h.run("COMMAND", "GETKEYS", "BITOP", "AND", "dest", "x", "y"));
        assertEquals(List.of("k"), h.run("COMMAND", "GETKEYS", "OBJECT", "ENCODING", "k"));
        assertEquals(List.of(List.of("k", new LinkedHashSet<>(List.of("RW", "access", "update")))),
                h.run("COMMAND", "GETKEYSANDFLAGS", "SET", "k", "v", "GET"));
        assertEquals(List.of(List.of("a", new LinkedHashSet<>(List.of("RW", "access", "delete"))),
                        List.of("b", new LinkedHashSet<>(List.of("OW", "update")))),
                h.run("COMMAND", "GETKEYSANDFLAGS", "RENAME", "a", "b"));
    }

    @Test
    void getKeysErrors() {
        EngineHarness h = new EngineHarness();
        assertEquals(err("ERR Invalid command specified"), h.run("COMMAND", "GETKEYS", "nosuch", "a"));
        assertEquals(err("ERR Invalid command specified"), h.run("COMMAND", "GETKEYS", "client", "nosuch"));
        assertEquals(err("ERR The command has no key arguments"), h.run("COMMAND", "GETKEYS", "client", "list"));
        assertEquals(err("ERR The command has no key arguments"), h.run("COMMAND", "GETKEYS", "echo", "x"));
        assertEquals(err("ERR Invalid number of arguments specified for command"), h.run("COMMAND", "GETKEYS", "set", "a"));
        assertEquals(err("ERR wrong number of arguments for 'command|getkeys' command"), h.run("COMMAND", "GETKEYS", "get"));
    }

    @Test
    void help() {
        List<?> help = (List<?>) new EngineHarness().run("COMMAND", "HELP");
        assertEquals(21, help.size());
        assertEquals("COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", help.get(0));
        assertEquals("GETKEYSANDFLAGS <full-command>", help.get(17));
    }
}
