package dev.millrace.engine.command;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandTableTest {
    private final EngineHarness h = new EngineHarness();

    @Test
    void everyAdvertisedCommandHasAHandlerAndEveryHandlerAnEntry() {
        Dispatcher dispatcher = h.engine.dispatcher();
        Set<String> advertised = dispatcher.table().all().stream()
                .filter(spec -> !spec.isContainer() || spec.name().equals("command"))
                .map(CommandSpec::name).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(advertised, new TreeSet<>(dispatcher.handledNames()));
    }

    @Test
    void specsCarryRedisFacts() {
        CommandSpec get = h.engine.dispatcher().table().lookup("GET");
        assertEquals(2, get.arity());
        assertEquals(1, get.firstKey());
        assertTrue(get.hasFlag("readonly"));
        CommandSpec list = h.engine.dispatcher().table().lookup("client").subcommands().get("list");
        assertEquals("client|list", list.name());
        assertEquals(-2, list.arity());
    }
}
