package dev.millrace.engine.notify;

import dev.millrace.engine.reply.Errors;

/**
 * The event classes of {@code notify-keyspace-events} as bit flags, with Redis 7.0's parsing of the
 * class letters and its canonical rendering (what CONFIG GET shows). The bit values are Redis's
 * NOTIFY_* constants. Immutable; thread-safe.
 */
public final class EventClasses {
    public static final int KEYSPACE = 1;       // K
    public static final int KEYEVENT = 1 << 1;  // E
    public static final int GENERIC = 1 << 2;   // g
    public static final int STRING = 1 << 3;    // $
    public static final int LIST = 1 << 4;      // l
    public static final int SET = 1 << 5;       // s
    public static final int HASH = 1 << 6;      // h
    public static final int ZSET = 1 << 7;      // z
    public static final int EXPIRED = 1 << 8;   // x
    public static final int EVICTED = 1 << 9;   // e
    public static final int STREAM = 1 << 10;   // t
    public static final int KEY_MISS = 1 << 11; // m
    public static final int MODULE = 1 << 12;   // d
    public static final int NEW = 1 << 13;      // n
    /** 'A': every class but key misses and new keys (Redis 7.0's NOTIFY_ALL). */
    public static final int ALL = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

    private EventClasses() {
    }

    /**
     * Redis's keyspaceEventsStringToFlags: each letter adds its class ('A' several).
     *
     * @throws IllegalArgumentException with Redis's CONFIG SET reason for any other character
     */
    public static int parse(String letters) {
        int flags = 0;
        for (int i = 0; i < letters.length(); i++) {
            flags |= switch (letters.charAt(i)) {
                case 'A' -> ALL;
                case 'g' -> GENERIC;
                case '$' -> STRING;
                case 'l' -> LIST;
                case 's' -> SET;
                case 'h' -> HASH;
                case 'z' -> ZSET;
                case 'x' -> EXPIRED;
                case 'e' -> EVICTED;
                case 'K' -> KEYSPACE;
                case 'E' -> KEYEVENT;
                case 't' -> STREAM;
                case 'm' -> KEY_MISS;
                case 'd' -> MODULE;
                case 'n' -> NEW;
                default -> throw new IllegalArgumentException(Errors.NOTIFY_CLASSES_INVALID);
            };
        }
        return flags;
    }

    /**
     * Redis's keyspaceEventsFlagsToString: 'A' when every class it covers is on (and then, as in Redis,
     * 'n' is not shown even when on), else the class letters; then K, E and m.
     */
    public static String render(int flags) {
        StringBuilder out = new StringBuilder();
        if ((flags & ALL) == ALL) {
            out.append('A');
        } else {
            appendIf(out, flags, GENERIC, 'g');
            appendIf(out, flags, STRING, '$');
            appendIf(out, flags, LIST, 'l');
            appendIf(out, flags, SET, 's');
            appendIf(out, flags, HASH, 'h');
            appendIf(out, flags, ZSET, 'z');
            appendIf(out, flags, EXPIRED, 'x');
            appendIf(out, flags, EVICTED, 'e');
            appendIf(out, flags, STREAM, 't');
            appendIf(out, flags, MODULE, 'd');
            appendIf(out, flags, NEW, 'n');
        }
        appendIf(out, flags, KEYSPACE, 'K');
        appendIf(out, flags, KEYEVENT, 'E');
        appendIf(out, flags, KEY_MISS, 'm');
        return out.toString();
    }

    /**
     * A configured value as the config keeps it: validated, and with every class spelled out (no 'A'),
     * so that 'n' survives although CONFIG GET's rendering of "An" hides it.
     *
     * @throws IllegalArgumentException with Redis's CONFIG SET reason for an unknown class letter
     */
    public static String stored(String letters) {
        return spelledOut(parse(letters));
    }

    /** What CONFIG GET shows for a stored value. */
    public static String shown(String stored) {
        return render(parse(stored));
    }

    private static String spelledOut(int flags) {
        StringBuilder out = new StringBuilder();
        String letters = "g$lshzxetdnKEm";
        for (int i = 0; i < letters.length(); i++) {
            char letter = letters.charAt(i);
            if ((flags & parse(String.valueOf(letter))) != 0) {
                out.append(letter);
            }
        }
        return out.toString();
    }

    private static void appendIf(StringBuilder out, int flags, int flag, char letter) {
        if ((flags & flag) != 0) {
            out.append(letter);
        }
    }
}
