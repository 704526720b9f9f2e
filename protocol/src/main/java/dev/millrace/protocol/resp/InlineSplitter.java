package dev.millrace.protocol.resp;

import io.netty.buffer.ByteBuf;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an inline request line into arguments as Redis's {@code sdssplitargs}: blanks separate
 * arguments; "double quotes" understand {@code \n \r \t \b \a \xHH} and {@code \<any>}; 'single
 * quotes' understand only {@code \'}; a quote may open in the middle of an argument, but a closing
 * quote must be followed by a blank or the end of the line, else the quotes are unbalanced.
 * Stateless; O(line length).
 */
final class InlineSplitter {
    private InlineSplitter() { }

    /**
     * Splits {@code buf[from, to)}, which holds no NUL (the decoder's line search stops at one).
     *
     * @return the arguments (none for a blank line), or null when the quotes are unbalanced
     */
    static byte[][] split(ByteBuf buf, int from, int to) {
        List<byte[]> args = new ArrayList<>();
        ByteArrayOutputStream current = new ByteArrayOutputStream();
        int p = from;
        while (true) {
            while (p < to && isSpace(at(buf, p, to))) {
                p++;
            }
            if (p >= to) {
                return args.toArray(new byte[0][]);
            }
            boolean inDoubleQuotes = false;
            boolean inSingleQuotes = false;
            boolean done = false;
            current.reset();
            while (!done) {
                int c = at(buf, p, to);
                int next = at(buf, p + 1, to);
                if (inDoubleQuotes) {
                    if (c == '\\' && next == 'x' && isHex(at(buf, p + 2, to)) && isHex(at(buf, p + 3, to))) {
                        current.write(Character.digit(at(buf, p + 2, to), 16) * 16 + Character.digit(at(buf, p + 3, to), 16));
                        p += 3;
                    } else if (c == '\\' && next != 0) {
                        p++;
                        current.write(switch (next) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> 7;
                            default -> next;
                        });
                    } else if (c == '"') {
                        if (next != 0 && !isSpace(next)) {
                            return null;
                        }
                        done = true;
                    } else if (c == 0) {
                        return null;
                    } else {
                        current.write(c);
                    }
                } else if (inSingleQuotes) {
                    if (c == '\\' && next == '\'') {
                        p++;
                        current.write('\'');
                    } else if (c == '\'') {
                        if (next != 0 && !isSpace(next)) {
                            return null;
                        }
                        done = true;
                    } else if (c == 0) {
                        return null;
                    } else {
                        current.write(c);
                    }
                } else {
                    switch (c) {
                        case ' ', '\n', '\r', '\t', 0 -> done = true;
                        case '"' -> inDoubleQuotes = true;
                        case '\'' -> inSingleQuotes = true;
                        default -> current.write(c);
                    }
                }
                if (p < to) {
                    p++;
                }
            }
            args.add(current.toByteArray());
        }
    }

    /** The byte at {@code i} as C sees the line: 0 at and past its end. */
    private static int at(ByteBuf buf, int i, int to) {
        return i < to ? buf.getByte(i) & 0xFF : 0;
    }

    /** C's isspace in the C locale. */
    private static boolean isSpace(int c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    private static boolean isHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
