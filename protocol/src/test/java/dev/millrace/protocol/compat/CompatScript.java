package dev.millrace.protocol.compat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A compatibility script (src/test/resources/compat/*.txt) read into steps. The format is the one
 * {@code resp-diff} reads, one command per line, plus two directives that resp-diff skips as comments:
 * <ul>
 *   <li>{@code CMD arg ...}: a command, sent as a RESP array; its replies are compared;</li>
 *   <li>{@code ~CMD arg ...}: sent to both, replies not compared (setup, ids, times);</li>
 *   <li>{@code #> "bytes"}: the bytes sent as they are (inline commands, broken protocol), one reply compared;
 *       {@code #>N "bytes"} compares the N replies they produce;</li>
 *   <li>{@code #needs CMD}: the rest of the file is compared only if Millrace has CMD;</li>
 *   <li>other lines starting with {@code #}, and blank lines: comments.</li>
 * </ul>
 * Arguments are split as redis-cli splits them ({@code sdssplitargs}): double quotes understand
 * {@code \n \r \t \b \a \xHH} and escape any other character; single quotes understand {@code \'}.
 * Text is UTF-8. Immutable.
 */
record CompatScript(String name, List<Step> steps) {

    /** What a line asks the runner to do. */
    enum Kind { COMPARE, SEND_ONLY, RAW, NEEDS }

    /**
     * One line of work.
     *
     * @param args the command's arguments (COMPARE, SEND_ONLY), the bytes in {@code args[0]} (RAW), the
     *        command name (NEEDS)
     * @param replies how many replies the step produces
     */
    record Step(int line, String text, Kind kind, byte[][] args, int replies) { }

    private static final Pattern RAW = Pattern.compile("#>(\\d*)\\s(.*)");

    static CompatScript load(String name, InputStream in) throws IOException {
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        List<Step> steps = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            int number = i + 1;
            Matcher raw = RAW.matcher(line);
            if (raw.matches()) {
                byte[][] bytes = split(raw.group(2), number);
                if (bytes.length != 1) {
                    throw new IllegalArgumentException(name + ":" + number + ": '#>' takes one quoted string");
                }
                int replies = raw.group(1).isEmpty() ? 1 : Integer.parseInt(raw.group(1));
                steps.add(new Step(number, line, Kind.RAW, bytes, replies));
            } else if (line.startsWith("#needs ")) {
                steps.add(new Step(number, line, Kind.NEEDS, split(line.substring(7), number), 1));
            } else if (line.startsWith("~")) {
                steps.add(new Step(number, line, Kind.SEND_ONLY, split(line.substring(1), number), 1));
            } else if (!line.isEmpty() && !line.startsWith("#")) {
                steps.add(new Step(number, line, Kind.COMPARE, split(line, number), 1));
            }
        }
        return new CompatScript(name, List.copyOf(steps));
    }

    /** Redis's sdssplitargs over a line of the script. */
    static byte[][] split(String line, int number) {
        byte[] in = line.getBytes(StandardCharsets.UTF_8);
        List<byte[]> args = new ArrayList<>();
        int p = 0;
        while (true) {
            while (p < in.length && isSpace(in[p])) {
                p++;
            }
            if (p == in.length) {
                return args.toArray(new byte[0][]);
            }
            ByteArrayOutputStream arg = new ByteArrayOutputStream();
            byte quote = 0;
            while (true) {
                if (p == in.length) {
                    if (quote != 0) {
                        throw new IllegalArgumentException("line " + number + ": unbalanced quotes");
                    }
                    break;
                }
                byte c = in[p];
                if (quote == '"' && c == '\\' && p + 3 < in.length && in[p + 1] == 'x'
                        && isHex(in[p + 2]) && isHex(in[p + 3])) {
                    arg.write(Character.digit(in[p + 2], 16) * 16 + Character.digit(in[p + 3], 16));
                    p += 4;
                } else if (quote == '"' && c == '\\' && p + 1 < in.length) {
                    arg.write(switch (in[p + 1]) {
                        case 'n' -> '\n';
                        case 'r' -> '\r';
                        case 't' -> '\t';
                        case 'b' -> '\b';
                        case 'a' -> 7;
                        default -> in[p + 1];
                    });
                    p += 2;
                } else if (quote == '\'' && c == '\\' && p + 1 < in.length && in[p + 1] == '\'') {
                    arg.write('\'');
                    p += 2;
                } else if (quote != 0 && c == quote) {
                    p++;
                    if (p < in.length && !isSpace(in[p])) {
                        throw new IllegalArgumentException("line " + number + ": closing quote must be followed by a space");
                    }
                    break;
                } else if (quote == 0 && (c == '"' || c == '\'')) {
                    quote = c;
                    p++;
                } else if (quote == 0 && isSpace(c)) {
                    break;
                } else {
                    arg.write(c);
                    p++;
                }
            }
            args.add(arg.toByteArray());
        }
    }

    /** C's isspace in the C locale, as sdssplitargs uses it. */
    private static boolean isSpace(byte c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    private static boolean isHex(byte c) {
        return Character.digit(c, 16) >= 0;
    }
}
