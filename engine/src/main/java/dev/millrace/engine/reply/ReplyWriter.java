package dev.millrace.engine.reply;

/**
 * The RESP3 vocabulary a command replies in. Command code never sees the protocol version: the
 * protocol adapter's implementation downgrades RESP3 types to RESP2 in one place (map to a flat
 * array, set to an array, double to a bulk string, boolean to 0/1, null to {@code $-1} or {@code *-1}).
 *
 * <p>Aggregates are announced with their element count and followed by exactly that many elements
 * (a map of n entries by 2n elements). Implementations are used by one thread at a time.
 */
public interface ReplyWriter {
    void simple(String text);

    /** An error reply; {@code message} is the full text without the leading '-', e.g. "ERR syntax error". */
    void error(String message);

    void integer(long value);

    void bulk(byte[] value);

    void bulk(String value);

    /**
     * A bulk string of {@code length} bytes of {@code value} from {@code offset}: saves a copy on hot
     * paths. The bytes are used before the call returns, never kept (they may be a tree node's buffer).
     */
    void bulk(byte[] value, int offset, int length);

    /** The RESP2 null bulk string ({@code $-1}); {@code _} in RESP3. */
    void nullBulk();

    /** The RESP2 null array ({@code *-1}); {@code _} in RESP3. */
    void nullArray();

    void array(int length);

    void map(int entries);

    void set(int length);

    /** A RESP3 double; a bulk string in RESP2, formatted as Redis formats doubles. */
    void doubleValue(double value);

    /**
     * A RESP3 double written with the caller's text (Redis's addReplyHumanLongDouble: GEOPOS
     * coordinates); a bulk string of that text in RESP2.
     */
    void doubleText(String text);

    void bool(boolean value);

    /** A RESP3 verbatim string with a three-letter format ("txt", "mkd"); a bulk string in RESP2. */
    void verbatim(String format, String text);

    /** A RESP3 big number (decimal digits); a bulk string in RESP2. */
    void bigNumber(String digits);

    /**
     * A RESP3 attribute: a map of {@code entries} pairs that annotates the reply written after it.
     * RESP2 has no attributes: call it only when {@link #protocol()} is 3.
     */
    void attribute(int entries);

    /** A RESP3 push (out-of-band) frame; an array in RESP2. */
    void push(int length);

    /** The protocol version this writer encodes (2 or 3), for the few replies whose shape differs. */
    int protocol();

    /**
     * Where the output stands, for {@link #discardFrom}; -1 when this writer cannot take output back
     * (then a command that fails half-way leaves its partial reply).
     */
    default long mark() {
        return -1;
    }

    /** Drops what was written since {@link #mark} returned {@code mark}: a command that failed half-way through its reply. */
    default void discardFrom(long mark) {
        throw new UnsupportedOperationException("this writer cannot take output back");
    }

    /** A writer that drops everything: replay of the AOF and internal calls. */
    ReplyWriter DISCARD = new ReplyWriter() {
        @Override public void simple(String text) { }
        @Override public void error(String message) { }
        @Override public void integer(long value) { }
        @Override public void bulk(byte[] value) { }
        @Override public void bulk(String value) { }
        @Override public void bulk(byte[] value, int offset, int length) { }
        @Override public void nullBulk() { }
        @Override public void nullArray() { }
        @Override public void array(int length) { }
        @Override public void map(int entries) { }
        @Override public void set(int length) { }
        @Override public void doubleValue(double value) { }
        @Override public void doubleText(String text) { }
        @Override public void bool(boolean value) { }
        @Override public void verbatim(String format, String text) { }
        @Override public void bigNumber(String digits) { }
        @Override public void attribute(int entries) { }
        @Override public void push(int length) { }
        @Override public int protocol() { return 3; }
    };
}
