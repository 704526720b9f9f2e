package dev.millrace.engine.commands;

import dev.millrace.engine.testing.EngineHarness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Golden reply files: commands with the exact bytes a real redis-server 7.0.15 replied, replayed
 * against the engine and compared byte for byte. A file is a list of lines:
 *
 * <pre>
 *   # comment
 *   @resp 2|3              switch protocol (HELLO 3 on the real server)
 *   @list KEY              make KEY a list (RPUSH on the real server), for WRONGTYPE cases
 *   @config NAME VALUE     CONFIG SET on both
 *   > COMMAND ARGS...      a command, quoted as redis-cli does ("\x00", 'a b'); {x*600} repeats x
 *   < REPLY                the recorded reply: RESP bytes with \r \n \\ and \xHH escapes
 * </pre>
 *
 * Recording talks to a real server over a plain socket: run the golden test with
 * {@code -Dmillrace.golden.record=PORT} against an empty redis-server and the files under
 * src/test/resources are rewritten with its replies. Commands must not depend on the clock.
 */
final class GoldenReplies {
    private GoldenReplies() { }

    /** One command with the reply recorded for it, and the setup directives before it. */
    record Step(int lineNumber, List<String> directives, List<byte[]> argv, String commandLine, String expected) {
    }

    static List<Step> parse(List<String> lines) {
        List<Step> steps = new ArrayList<>();
        List<String> directives = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("@")) {
                directives.add(line);
            } else if (line.startsWith("> ")) {
                String expected = i + 1 < lines.size() && lines.get(i + 1).startsWith("< ")
                        ? lines.get(i + 1).substring(2) : null;
                steps.add(new Step(i + 1, List.copyOf(directives), tokenize(line.substring(2)), line, expected));
                directives.clear();
            }
        }
        return steps;
    }

    /** Applies a directive to the engine under test. */
    static void applyToEngine(EngineHarness h, String directive) {
        String[] words = directive.split(" ");
        switch (words[0]) {
            case "@resp" -> h.session.setProtocol(Integer.parseInt(words[1]));
            case "@list" -> h.run("RPUSH", words[1], "x");
            case "@config" -> {
                String refused = h.config.set(words[1], words[2], false);
                if (refused != null) {
                    throw new IllegalArgumentException(directive + ": " + refused);
                }
            }
            default -> throw new IllegalArgumentException("unknown directive " + directive);
        }
    }

    // ---- tokens ---------------------------------------------------------------------------------

    private static final Pattern REPEAT = Pattern.compile("\\{(.+)\\*(\\d+)}");

    /** redis-cli's quoting: "..." with \xHH \n \r \t \\ \" escapes, '...' literal, else split on spaces. */
    static List<byte[]> tokenize(String line) {
        List<byte[]> tokens = new ArrayList<>();
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == ' ') {
                i++;
                continue;
            }
            ByteArrayOutputStream token = new ByteArrayOutputStream();
            if (c == '"') {
                i++;
                while (line.charAt(i) != '"') {
                    char d = line.charAt(i++);
                    if (d == '\\') {
                        char e = line.charAt(i++);
                        switch (e) {
                            case 'x' -> {
                                token.write(Integer.parseInt(line.substring(i, i + 2), 16));
                                i += 2;
                            }
                            case 'n' -> token.write('\n');
                            case 'r' -> token.write('\r');
                            case 't' -> token.write('\t');
                            default -> token.write(e);
                        }
                    } else {
                        token.write(d);
                    }
                }
                i++;
            } else if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                token.writeBytes(line.substring(i + 1, end).getBytes(StandardCharsets.ISO_8859_1));
                i = end + 1;
            } else {
                int end = line.indexOf(' ', i);
                end = end < 0 ? line.length() : end;
                String word = line.substring(i, end);
                Matcher m = REPEAT.matcher(word);
                token.writeBytes((m.matches() ? m.group(1).repeat(Integer.parseInt(m.group(2))) : word)
                        .getBytes(StandardCharsets.ISO_8859_1));
                i = end;
            }
            tokens.add(token.toByteArray());
        }
        return tokens;
    }

    /** Reply bytes as one printable line. */
    static String escape(byte[] reply) {
        StringBuilder sb = new StringBuilder();
        for (byte b : reply) {
            int c = b & 0xff;
            if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\\') {
                sb.append("\\\\");
            } else if (c < 0x20 || c >= 0x7f) {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    // ---- recording from a real server -----------------------------------------------------------

    /** Rewrites a golden file with the replies of the redis-server on {@code port} (flushed first). */
    static void record(Path file, int port) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        List<String> out = new ArrayList<>();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream os = socket.getOutputStream();
            InputStream is = new java.io.BufferedInputStream(socket.getInputStream());
            call(os, is, List.of(bytes("FLUSHALL")));
            call(os, is, List.of(bytes("HELLO"), bytes("2")));
            for (String line : lines) {
                if (line.startsWith("< ")) {
                    continue;
                }
                out.add(line);
                if (line.startsWith("@")) {
                    String[] w = line.split(" ");
                    switch (w[0]) {
                        case "@resp" -> call(os, is, List.of(bytes("HELLO"), bytes(w[1])));
                        case "@list" -> call(os, is, List.of(bytes("RPUSH"), bytes(w[1]), bytes("x")));
                        case "@config" -> call(os, is, List.of(bytes("CONFIG"), bytes("SET"), bytes(w[1]), bytes(w[2])));
                        default -> throw new IllegalArgumentException(line);
                    }
                } else if (line.startsWith("> ")) {
                    out.add("< " + escape(call(os, is, tokenize(line.substring(2)))));
                }
            }
            call(os, is, List.of(bytes("CONFIG"), bytes("SET"), bytes("proto-max-bulk-len"), bytes("512mb")));
        }
        Files.write(file, out, StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] call(OutputStream os, InputStream is, List<byte[]> argv) throws IOException {
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        req.writeBytes(("*" + argv.size() + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        for (byte[] a : argv) {
            req.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            req.writeBytes(a);
            req.writeBytes(bytes("\r\n"));
        }
        os.write(req.toByteArray());
        os.flush();
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        readReply(is, reply);
        return reply.toByteArray();
    }

    /** Copies one complete RESP2/RESP3 reply from the stream. */
    private static void readReply(InputStream is, ByteArrayOutputStream into) throws IOException {
        String header = readLine(is, into);
        char type = header.charAt(0);
        switch (type) {
            case '$', '=' -> {
                int n = Integer.parseInt(header.substring(1));
                if (n >= 0) {
                    into.writeBytes(is.readNBytes(n + 2));
                }
            }
            case '*', '~', '>' -> {
                int n = Integer.parseInt(header.substring(1));
                for (int k = 0; k < n; k++) {
                    readReply(is, into);
                }
            }
            case '%', '|' -> {
                int n = Integer.parseInt(header.substring(1));
                for (int k = 0; k < 2 * n; k++) {
                    readReply(is, into);
                }
            }
            default -> { } // + - : , # _ ( are one line
        }
    }

    private static String readLine(InputStream is, ByteArrayOutputStream into) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = is.read()) != '\n') {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            into.write(c);
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        into.write('\n');
        return sb.toString();
    }
}
