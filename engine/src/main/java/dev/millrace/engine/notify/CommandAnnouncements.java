package dev.millrace.engine.notify;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What each write command announces by default, from {@code events.table} beside this class (its
 * header describes the format). Every write command has an entry (a test checks it), so a command
 * that announces nothing says so. Immutable; loaded once.
 */
public final class CommandAnnouncements {
    private static final Map<String, Announcement> TABLE = load();

    private CommandAnnouncements() {
    }

    /** The default announcement of a command ("lpush", "xgroup|create"), or NONE if it has no entry. */
    public static Announcement of(String commandName) {
        return TABLE.getOrDefault(commandName, Announcement.NONE);
    }

    /** Whether the table has an entry for the command. */
    public static boolean listed(String commandName) {
        return TABLE.containsKey(commandName);
    }

    /** The commands in the table. */
    public static java.util.Set<String> names() {
        return TABLE.keySet();
    }

    private static Map<String, Announcement> load() {
        List<String> lines;
        try (InputStream in = CommandAnnouncements.class.getResourceAsStream("events.table")) {
            if (in == null) {
                throw new IllegalStateException("missing resource events.table");
            }
            lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return parse(lines);
    }

    static Map<String, Announcement> parse(List<String> lines) {
        Map<String, Announcement> table = new HashMap<>();
        for (String line : lines) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] cols = trimmed.split("\\s+");
            if (cols.length != 3) {
                throw new IllegalStateException("events.table: expected 3 columns: " + line);
            }
            Announcement announcement = Announcement.of(events(cols[1], line), events(cols[2], line));
            for (String name : cols[0].split(",")) {
                if (table.put(name, announcement) != null) {
                    throw new IllegalStateException("events.table: " + name + " listed twice");
                }
            }
        }
        return Collections.unmodifiableMap(table);
    }

    private static KeyEvent[] events(String column, String line) {
        if (column.equals("-")) {
            return new KeyEvent[0];
        }
        List<KeyEvent> events = new ArrayList<>();
        for (String name : column.split(",")) {
            KeyEvent event = KeyEvent.named(name);
            if (event == null) {
                throw new IllegalStateException("events.table: unknown event " + name + ": " + line);
            }
            events.add(event);
        }
        return events.toArray(KeyEvent[]::new);
    }
}
