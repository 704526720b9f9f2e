package dev.millrace.protocol.server;

import dev.millrace.engine.Engine;
import dev.millrace.engine.config.ServerConfig;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * redis-server's command line: {@code [config-file] [-] [--name value [value...]]...}. The optional
 * first argument (not starting with '-') is a redis.conf-style file, {@code -} reads more configuration
 * from standard input, and each {@code --name} takes the words up to the next {@code --name} as its
 * value ({@code --save 60 1000}); a lone {@code --save} means {@code save ""}.
 *
 * <p>As Redis, the options act as lines appended after the file (one blank line between) and the first
 * invalid line stops the start with Redis's "FATAL CONFIG FILE ERROR" report, whose line numbers
 * count that way.
 */
public final class ServerArguments {

    /** One {@code --name value...} option. */
    record Option(String name, List<String> values) {
        /** The line Redis reports for it: the name, then each value quoted as sdscatrepr does. */
        String line() {
            StringBuilder line = new StringBuilder(name);
            for (String value : values) {
                line.append(' ').append(repr(value));
            }
            return line.toString().strip();
        }
    }

    /** The arguments, sorted out. */
    record Parsed(String configFile, boolean configFromStdin, List<Option> options) { }

    /** Why the server cannot start; the message is what redis-server prints before exiting 1. */
    public static final class StartupException extends Exception {
        StartupException(String message) {
            super(message);
        }
    }

    private ServerArguments() { }

    /** Sorts the arguments out as redis-server's main() does. */
    static Parsed parse(String[] args) {
        String configFile = null;
        int j = 0;
        if (args.length > 0 && !args[0].startsWith("-")) {
            configFile = args[0];
            j = 1;
        }
        boolean fromStdin = false;
        List<Option> options = new ArrayList<>();
        boolean lastHasValue = true;
        for (; j < args.length; j++) {
            String arg = args[j];
            if (arg.equals("-") && (j == 0 || j == args.length - 1)) {
                fromStdin = true;
            } else if (lastHasValue && arg.startsWith("--")) {
                String[] words = arg.substring(2).strip().split("\\s+");
                List<String> values = new ArrayList<>(List.of(words).subList(1, words.length));
                options.add(new Option(words[0], values));
                // "--port 6380" as one argument carries its value; "--port" waits for the next argument.
                lastHasValue = words.length > 1;
                if (!lastHasValue && arg.equalsIgnoreCase("--save")
                        && (j == args.length - 1 || args[j + 1].startsWith("--"))) {
                    values.add("");
                    lastHasValue = true;
                }
            } else if (!options.isEmpty()) {
                options.get(options.size() - 1).values().add(arg);
                lastHasValue = true;
            } else {
                // A value before any option name: Redis makes it a line of its own, which is a bad directive.
                options.add(new Option(repr(arg), new ArrayList<>()));
                lastHasValue = true;
            }
        }
        return new Parsed(configFile, fromStdin, options);
    }

    /**
     * Builds the configuration from the command line, the file it names and standard input.
     *
     * @throws StartupException with redis-server's report when a line is invalid or the file unreadable
     */
    public static ServerConfig configure(String[] args, InputStream stdin) throws StartupException {
        Parsed parsed = parse(args);
        StringBuilder text = new StringBuilder();
        if (parsed.configFile() != null) {
            Path file = Path.of(parsed.configFile()).toAbsolutePath();
            try {
                text.append(Files.readString(file, StandardCharsets.ISO_8859_1));
            } catch (NoSuchFileException e) {
                throw new StartupException("Fatal error, can't open config file '" + file + "': No such file or directory\n");
            } catch (IOException e) {
                throw new StartupException("Fatal error, can't open config file '" + file + "': " + e.getMessage() + "\n");
            }
        }
        if (parsed.configFromStdin()) {
            try {
                text.append(new String(stdin.readAllBytes(), StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                throw new StartupException("Fatal error, can't read config from stdin: " + e.getMessage() + "\n");
            }
        }
        ServerConfig config = new ServerConfig();
        String[] lines = text.toString().split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            applyFileLine(config, lines[i], i + 1);
        }
        // Redis appends "\n" and the options: the first option is two lines after the file's last newline.
        int lineNumber = lines.length + 1;
        for (Option option : parsed.options()) {
            applyOption(config, option, lineNumber++);
        }
        return config;
    }

    private static void applyFileLine(ServerConfig config, String rawLine, int lineNumber) throws StartupException {
        String line = rawLine.strip();
        if (line.isEmpty() || line.startsWith("#")) {
            return;
        }
        String name = line.split("\\s+")[0].toLowerCase(Locale.ROOT);
        if (!config.has(name)) {
            throw fatal(lineNumber, line, "Bad directive or wrong number of arguments");
        }
        List<String> errors = config.applyConfigFile(List.of(line));
        if (!errors.isEmpty()) {
            // applyConfigFile reports "line 1: '<line>': <reason>" (or "line 1: <reason>" for quoting).
            String reason = errors.get(0);
            String quoted = "line 1: '" + line + "': ";
            reason = reason.startsWith(quoted) ? reason.substring(quoted.length()) : reason.substring("line 1: ".length());
            throw fatal(lineNumber, line, reason);
        }
    }

    private static void applyOption(ServerConfig config, Option option, int lineNumber) throws StartupException {
        String name = option.name().toLowerCase(Locale.ROOT);
        if (!config.has(name)) {
            throw fatal(lineNumber, option.line(), "Bad directive or wrong number of arguments");
        }
        if (option.values().isEmpty()) {
            throw fatal(lineNumber, option.line(), "wrong number of arguments");
        }
        String error = config.set(name, String.join(" ", option.values()), true);
        if (error != null) {
            throw fatal(lineNumber, option.line(), error);
        }
    }

    private static StartupException fatal(int lineNumber, String line, String reason) {
        return new StartupException("\n*** FATAL CONFIG FILE ERROR (Redis " + Engine.REDIS_VERSION + ") ***\n"
                + "Reading the configuration file, at line " + lineNumber + "\n"
                + ">>> '" + line + "'\n"
                + reason + "\n");
    }

    /** Quotes a value as Redis's sdscatrepr: escapes for \ " \n \r \t \a \b, \xHH for other unprintables. */
    static String repr(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            switch (c) {
                case '\\', '"' -> out.append('\\').append((char) c);
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case 7 -> out.append("\\a");
                case '\b' -> out.append("\\b");
                default -> {
                    if (c >= 0x20 && c < 0x7F) {
                        out.append((char) c);
                    } else {
                        out.append(String.format("\\x%02x", c));
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
