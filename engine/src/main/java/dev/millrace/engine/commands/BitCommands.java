package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.keyspace.AccessClock;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.util.Numbers;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The bitmap commands of Redis 7.0 on string values: SETBIT, GETBIT, BITCOUNT and BITPOS (with BYTE
 * or BIT ranges), BITOP, and BITFIELD / BITFIELD_RO (in {@link Bitfield}). Bit 0 is the most
 * significant bit of the first byte. Replies, errors and their order match Redis 7.0.15.
 *
 * <p>Every command here replays deterministically, so effects are the commands themselves. Writes
 * leave the value "raw" encoded, as Redis unshares a string before changing it in place.
 * Execution thread only.
 */
public final class BitCommands implements CommandFamily {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    public BitCommands(Engine engine) {
        // handlers reach the engine through each Call
    }

    @Override
    public void register(Bindings bind) {
        bind.bind("setbit", this::setbit);
        bind.bind("getbit", this::getbit);
        bind.bind("bitcount", this::bitcount);
        bind.bind("bitpos", this::bitpos);
        bind.bind("bitop", this::bitop);
        bind.bind("bitfield", call -> Bitfield.execute(call, false));
        bind.bind("bitfield_ro", call -> Bitfield.execute(call, true));
    }

    // ---- shared by the bit writers (also BITFIELD) -----------------------------------------------

    /**
     * Redis's getBitOffsetFromArgument: a bit offset, optionally written {@code #n} (meaning n × bits,
     * for BITFIELD), refused when negative or addressing beyond proto-max-bulk-len bytes.
     *
     * @return the offset, or -1 after replying the error
     */
    static long bitOffsetOrReply(Call call, byte[] argument, boolean allowHash, int bits) {
        int skip = allowHash && bits > 0 && argument.length > 0 && argument[0] == '#' ? 1 : 0;
        Long parsed = Numbers.parseLong(argument, skip, argument.length - skip);
        if (parsed == null) {
            call.reply().error(Errors.BIT_OFFSET);
            return -1;
        }
        long offset = skip == 1 ? parsed * bits : parsed; // wraps like Redis's C multiplication
        if (offset < 0 || (offset >> 3) >= StringKeys.maxLength(call)) {
            call.reply().error(Errors.BIT_OFFSET);
            return -1;
        }
        return offset;
    }

    /** A string key opened for bit writes: its value copied and zero-padded so a given bit exists. */
    static final class WritableBits {
        final byte[] value;
        final long expireAt;
        /** Whether the key was created or its value grown by opening it (a change in itself). */
        final boolean resized;
        final boolean wasRaw;

        private WritableBits(byte[] value, long expireAt, boolean resized, boolean wasRaw) {
            this.value = value;
            this.expireAt = expireAt;
            this.resized = resized;
            this.wasRaw = wasRaw;
        }

        /**
         * Redis's lookupStringForBitCommand: the key's value long enough to hold bit {@code maxBit},
         * or null after replying WRONGTYPE (or, beyond what a Java array holds, the size error).
         */
        static WritableBits open(Call call, byte[] key, long maxBit) {
            byte[] record = call.keyspace().lookup(call.db(), key, call.now());
            if (StringKeys.wrongType(call, record)) {
                return null;
            }
            long needed = (maxBit >>> 3) + 1;
            if (needed > Integer.MAX_VALUE - 8) {
                call.reply().error(Errors.STRING_TOO_LONG);
                return null;
            }
            if (record == null) {
                return new WritableBits(new byte[(int) needed], Record.NO_EXPIRY, true, false);
            }
            Record current = Record.decode(record);
            byte[] value = current.payload();
            boolean grow = value.length < needed;
            if (grow) {
                value = Arrays.copyOf(value, (int) needed);
            }
            return new WritableBits(value, current.expireAtMillis(), grow, current.raw());
        }

        /**
         * Stores the value back, keeping its TTL. Counted as {@code changes} writes when bits changed or
         * the key was created or grown; when nothing changed, only the encoding becomes raw (Redis
         * unshares the string before looking at it) and that is no change: no dirty count, no effect.
         */
        void commit(Call call, byte[] key, long changes) {
            Record record = new Record(ValueType.STRING, true, AccessClock.at(call.now()), expireAt, value);
            if (changes > 0 || resized) {
                call.keyspace().put(call.db(), key, record);
                call.keyspace().addDirty(Math.max(changes - 1, 0));
            } else if (!wasRaw) {
                call.keyspace().store().put(call.db(), key, record.encode());
            }
        }
    }

    // ---- SETBIT / GETBIT -------------------------------------------------------------------------

    private void setbit(Call call) {
        byte[] key = call.arg(1);
        long offset = bitOffsetOrReply(call, call.arg(2), false, 0);
        if (offset < 0) {
            return;
        }
        Long on = Numbers.parseLong(call.arg(3));
        if (on == null || (on & ~1L) != 0) {
            call.reply().error(Errors.BIT_VALUE);
            return;
        }
        WritableBits target = WritableBits.open(call, key, offset);
        if (target == null) {
            return;
        }
        int index = (int) (offset >>> 3);
        int shift = 7 - (int) (offset & 7);
        int old = (target.value[index] >> shift) & 1;
        boolean changed = old != on;
        if (changed) {
            target.value[index] ^= (byte) (1 << shift);
        }
        target.commit(call, key, changed ? 1 : 0);
        call.reply().integer(old);
    }

    private void getbit(Call call) {
        long offset = bitOffsetOrReply(call, call.arg(2), false, 0);
        if (offset < 0) {
            return;
        }
        byte[] record = call.keyspace().lookupRead(call.db(), call.arg(1), call.now());
        if (record == null) {
            call.reply().integer(0);
            return;
        }
        if (StringKeys.wrongType(call, record)) {
            return;
        }
        long index = offset >>> 3;
        int bit = 0;
        if (index < StringKeys.valueLength(record)) {
            bit = (record[StringKeys.valueOffset(record) + (int) index] >> (7 - (int) (offset & 7))) & 1;
        }
        call.reply().integer(bit);
    }

    // ---- BITCOUNT / BITPOS ----------------------------------------------------------------------

    /**
     * A range of a string in bytes, after Redis's conversion from BYTE or BIT indexes: bytes
     * [start, end] of the value, and for BIT ranges the masks of the bits of the first and last byte
     * that lie outside it.
     */
    private record ByteRange(long start, long end, int firstByteOutside, int lastByteOutside) {
        static ByteRange of(long start, long end, long valueLength, boolean bitUnit) {
            long total = bitUnit ? valueLength << 3 : valueLength;
            if (start < 0) {
                start += total;
            }
            if (end < 0) {
                end += total;
            }
            start = Math.max(start, 0);
            end = Math.max(end, 0);
            if (end >= total) {
                end = total - 1;
            }
            if (bitUnit && start <= end) {
                int first = ~((1 << (8 - (int) (start & 7))) - 1) & 0xff;
                int last = (1 << (7 - (int) (end & 7))) - 1;
                return new ByteRange(start >> 3, end >> 3, first, last);
            }
            return new ByteRange(start, end, 0, 0);
        }
    }

    /** BYTE or BIT, or null after replying a syntax error. */
    private static Boolean bitUnitOrReply(Call call, int index) {
        if (call.argIs(index, "bit")) {
            return true;
        }
        if (call.argIs(index, "byte")) {
            return false;
        }
        call.syntaxError();
        return null;
    }

    /** BITCOUNT key [start end [BYTE|BIT]]: the key is looked up before the range is parsed. */
    private void bitcount(Call call) {
        byte[] record = call.keyspace().lookupRead(call.db(), call.arg(1), call.now());
        if (record == null) {
            call.reply().integer(0);
            return;
        }
        if (StringKeys.wrongType(call, record)) {
            return;
        }
        int length = StringKeys.valueLength(record);
        int base = StringKeys.valueOffset(record);
        ByteRange range;
        if (call.argc() == 4 || call.argc() == 5) {
            Long start = Numbers.parseLong(call.arg(2));
            Long end = start == null ? null : Numbers.parseLong(call.arg(3));
            if (end == null) {
                call.reply().error(Errors.NOT_INTEGER);
                return;
            }
            if (start < 0 && end < 0 && start > end) {
                call.reply().integer(0);
                return;
            }
            boolean bitUnit = false;
            if (call.argc() == 5) {
                Boolean unit = bitUnitOrReply(call, 4);
                if (unit == null) {
                    return;
                }
                bitUnit = unit;
            }
            range = ByteRange.of(start, end, length, bitUnit);
        } else if (call.argc() == 2) {
            range = new ByteRange(0, length - 1L, 0, 0);
        } else {
            call.syntaxError();
            return;
        }
        if (range.start() > range.end()) {
            call.reply().integer(0);
            return;
        }
        int from = base + (int) range.start();
        int to = base + (int) range.end();
        long count = popcount(record, from, to - from + 1);
        count -= Integer.bitCount(record[from] & range.firstByteOutside());
        count -= Integer.bitCount(record[to] & range.lastByteOutside());
        call.reply().integer(count);
    }

    /** The number of set bits in {@code length} bytes of {@code bytes} from {@code from}. O(length). */
    static long popcount(byte[] bytes, int from, int length) {
        long count = 0;
        int i = from;
        int end = from + length;
        for (; i + 8 <= end; i += 8) {
            count += Long.bitCount((long) LONGS.get(bytes, i));
        }
        for (; i < end; i++) {
            count += Integer.bitCount(bytes[i] & 0xff);
        }
        return count;
    }

    /** BITPOS key bit [start [end [BYTE|BIT]]]. */
    private void bitpos(Call call) {
        Long parsedBit = Numbers.parseLong(call.arg(2));
        if (parsedBit == null) {
            call.reply().error(Errors.NOT_INTEGER);
            return;
        }
        if (parsedBit != 0 && parsedBit != 1) {
            call.reply().error(Errors.BITPOS_BIT);
            return;
        }
        int bit = (int) (long) parsedBit;
        byte[] record = call.keyspace().lookupRead(call.db(), call.arg(1), call.now());
        if (record == null) {
            // a missing key is an endless run of zeros
            call.reply().integer(bit == 1 ? -1 : 0);
            return;
        }
        if (StringKeys.wrongType(call, record)) {
            return;
        }
        int length = StringKeys.valueLength(record);
        boolean endGiven = false;
        ByteRange range;
        if (call.argc() >= 4 && call.argc() <= 6) {
            Long start = Numbers.parseLong(call.arg(3));
            if (start == null) {
                call.reply().error(Errors.NOT_INTEGER);
                return;
            }
            boolean bitUnit = false;
            if (call.argc() == 6) {
                Boolean unit = bitUnitOrReply(call, 5);
                if (unit == null) {
                    return;
                }
                bitUnit = unit;
            }
            long end;
            if (call.argc() >= 5) {
                Long parsedEnd = Numbers.parseLong(call.arg(4));
                if (parsedEnd == null) {
                    call.reply().error(Errors.NOT_INTEGER);
                    return;
                }
                end = parsedEnd;
                endGiven = true;
            } else {
                end = bitUnit ? ((long) length << 3) + 7 : length - 1L;
            }
            range = ByteRange.of(start, end, length, bitUnit);
        } else if (call.argc() == 3) {
            range = new ByteRange(0, length - 1L, 0, 0);
        } else {
            call.syntaxError();
            return;
        }
        call.reply().integer(bitpos(record, StringKeys.valueOffset(record), range, bit, endGiven));
    }

    /** Redis's BITPOS search over a range, with its treatment of the partial first and last bytes. */
    private static long bitpos(byte[] bytes, int base, ByteRange range, int bit, boolean endGiven) {
        if (range.start() > range.end()) {
            return -1; // an empty range holds neither a 0 nor a 1
        }
        long start = range.start();
        long count = range.end() - range.start() + 1;
        int first = range.firstByteOutside();
        int last = range.lastByteOutside();
        long pos = -1;
        boolean done = false;
        if (first != 0) {
            int b = bytes[base + (int) start] & 0xff;
            b = bit == 1 ? b & ~first : b | first;
            if (last != 0 && count == 1) {
                b = bit == 1 ? b & ~last : b | last;
            }
            pos = firstBit(new byte[]{(byte) b}, 0, 1, bit);
            if (count == 1 || (pos != -1 && pos != 8)) {
                done = true;
            } else {
                start++;
                count--;
            }
        }
        if (!done) {
            long whole = count - (last != 0 ? 1 : 0);
            if (whole > 0) {
                pos = firstBit(bytes, base + (int) start, (int) whole, bit);
                if (count == whole || (pos != -1 && pos != whole << 3)) {
                    done = true;
                } else {
                    start += whole;
                    count -= whole;
                }
            }
        }
        if (!done) {
            int b = bytes[base + (int) range.end()] & 0xff;
            b = bit == 1 ? b & ~last : b | last;
            pos = firstBit(new byte[]{(byte) b}, 0, 1, bit);
        }
        if (endGiven && bit == 0 && pos == count << 3) {
            // with an explicit end, the zeros past the range do not count
            return -1;
        }
        return pos == -1 ? -1 : pos + (start << 3);
    }

    /**
     * Redis's redisBitpos: the position of the first {@code bit} in {@code length} bytes, or for a 1
     * not found -1, for a 0 not found length × 8 (the string is seen as zero-padded on the right).
     */
    private static long firstBit(byte[] bytes, int from, int length, int bit) {
        int skip = bit == 1 ? 0 : 0xff;
        for (int i = 0; i < length; i++) {
            int b = bytes[from + i] & 0xff;
            if (b != skip) {
                int inByte = bit == 1 ? Integer.numberOfLeadingZeros(b) - 24 : Integer.numberOfLeadingZeros(~b & 0xff) - 24;
                return (long) i * 8 + inByte;
            }
        }
        return bit == 1 ? -1 : (long) length * 8;
    }

    // ---- BITOP ----------------------------------------------------------------------------------

    private enum BitOp { AND, OR, XOR, NOT }

    /** BITOP op destkey key [key ...]: missing keys are empty strings, shorter ones are zero-padded. */
    private void bitop(Call call) {
        BitOp op;
        if (call.argIs(1, "and")) {
            op = BitOp.AND;
        } else if (call.argIs(1, "or")) {
            op = BitOp.OR;
        } else if (call.argIs(1, "xor")) {
            op = BitOp.XOR;
        } else if (call.argIs(1, "not")) {
            op = BitOp.NOT;
        } else {
            call.syntaxError();
            return;
        }
        if (op == BitOp.NOT && call.argc() != 4) {
            call.reply().error(Errors.BITOP_NOT_ONE_KEY);
            return;
        }
        int sources = call.argc() - 3;
        byte[][] records = new byte[sources][];
        int maxLength = 0;
        for (int k = 0; k < sources; k++) {
            byte[] record = call.keyspace().lookupRead(call.db(), call.arg(k + 3), call.now());
            if (StringKeys.wrongType(call, record)) {
                return;
            }
            records[k] = record;
            if (record != null) {
                maxLength = Math.max(maxLength, StringKeys.valueLength(record));
            }
        }
        byte[] destination = call.arg(2);
        if (maxLength == 0) {
            call.keyspace().delete(call.db(), destination, call.now());
            call.reply().integer(0);
            return;
        }
        byte[] result = combine(op, records, maxLength);
        // like SET, BITOP replaces the destination and its TTL
        StringKeys.store(call, destination, result, true, Record.NO_EXPIRY);
        call.reply().integer(maxLength);
    }

    private static byte[] combine(BitOp op, byte[][] records, int length) {
        byte[] result = new byte[length];
        copyPadded(records[0], result);
        if (op == BitOp.NOT) {
            for (int i = 0; i < length; i++) {
                result[i] = (byte) ~result[i];
            }
            return result;
        }
        byte[] operand = new byte[length];
        for (int k = 1; k < records.length; k++) {
            copyPadded(records[k], operand);
            for (int i = 0; i < length; i++) {
                switch (op) {
                    case AND -> result[i] &= operand[i];
                    case OR -> result[i] |= operand[i];
                    default -> result[i] ^= operand[i];
                }
            }
        }
        return result;
    }

    /** The value of a string record (or nothing, for a missing key) at the start of {@code into}, zeros after. */
    private static void copyPadded(byte[] record, byte[] into) {
        int length = record == null ? 0 : StringKeys.valueLength(record);
        if (length > 0) {
            System.arraycopy(record, StringKeys.valueOffset(record), into, 0, length);
        }
        Arrays.fill(into, length, into.length, (byte) 0);
    }
}
