package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.util.Numbers;

import java.util.ArrayList;
import java.util.List;

/**
 * BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment]
 * [OVERFLOW WRAP|SAT|FAIL] ... and BITFIELD_RO (GET only): integers of 1 to 64 bits (unsigned up to
 * 63) at any bit offset of a string, most significant bit first. All operations are parsed before any
 * runs, so an error leaves the key untouched; OVERFLOW applies to the operations after it. Overflow
 * arithmetic follows Redis's checkSigned/UnsignedBitfieldOverflow exactly, in two's complement.
 */
final class Bitfield {
    private Bitfield() { }

    private enum Overflow { WRAP, SAT, FAIL }

    private enum Opcode { GET, SET, INCRBY }

    /** One parsed operation; {@code argument} is SET's value or INCRBY's increment. */
    private record Operation(Opcode opcode, boolean signed, int bits, long offset, long argument, Overflow overflow) {
    }

    static void execute(Call call, boolean readOnlyCommand) {
        List<Operation> operations = parse(call);
        if (operations == null) {
            return;
        }
        boolean writes = false;
        long highestWriteBit = 0;
        for (Operation op : operations) {
            if (op.opcode() != Opcode.GET) {
                writes = true;
                highestWriteBit = Math.max(highestWriteBit, op.offset() + op.bits() - 1);
            }
        }
        byte[] key = call.arg(1);
        ReplyWriter reply = call.reply();
        if (!writes) {
            byte[] record = call.keyspace().lookupRead(call.db(), key, call.now());
            if (StringKeys.wrongType(call, record)) {
                return;
            }
            reply.array(operations.size());
            for (Operation op : operations) {
                if (record == null) {
                    reply.integer(0);
                } else {
                    reply.integer(read(op, record, StringKeys.valueOffset(record), StringKeys.valueLength(record)));
                }
            }
            return;
        }
        if (readOnlyCommand) {
            call.reply().error(Errors.BITFIELD_RO_GET_ONLY);
            return;
        }
        BitCommands.WritableBits target = BitCommands.WritableBits.open(call, key, highestWriteBit);
        if (target == null) {
            return;
        }
        reply.array(operations.size());
        long changes = 0;
        for (Operation op : operations) {
            if (op.opcode() == Opcode.GET) {
                reply.integer(read(op, target.value, 0, target.value.length));
                continue;
            }
            long old = read(op, target.value, 0, target.value.length);
            long stored;
            boolean overflowed;
            if (op.opcode() == Opcode.INCRBY) {
                Long result = op.signed()
                        ? signedWithOverflow(old, op.argument(), op.bits(), op.overflow())
                        : unsignedWithOverflow(old, op.argument(), op.bits(), op.overflow());
                overflowed = result == null;
                stored = overflowed ? 0 : result;
            } else {
                Long result = op.signed()
                        ? signedWithOverflow(op.argument(), 0, op.bits(), op.overflow())
                        : unsignedWithOverflow(op.argument(), 0, op.bits(), op.overflow());
                overflowed = result == null;
                stored = overflowed ? 0 : result;
            }
            if (overflowed) {
                reply.nullBulk(); // OVERFLOW FAIL: nothing written
                continue;
            }
            reply.integer(op.opcode() == Opcode.INCRBY ? stored : old);
            write(target.value, op.offset(), op.bits(), stored);
            if (target.resized || old != stored) {
                changes++;
            }
        }
        target.commit(call, key, changes);
    }

    /** @return the operations, or null after replying the first error */
    private static List<Operation> parse(Call call) {
        List<Operation> operations = new ArrayList<>();
        Overflow overflow = Overflow.WRAP;
        for (int j = 2; j < call.argc(); j++) {
            int remaining = call.argc() - j - 1;
            Opcode opcode;
            if (call.argIs(j, "get") && remaining >= 2) {
                opcode = Opcode.GET;
            } else if (call.argIs(j, "set") && remaining >= 3) {
                opcode = Opcode.SET;
            } else if (call.argIs(j, "incrby") && remaining >= 3) {
                opcode = Opcode.INCRBY;
            } else if (call.argIs(j, "overflow") && remaining >= 1) {
                j++;
                if (call.argIs(j, "wrap")) {
                    overflow = Overflow.WRAP;
                } else if (call.argIs(j, "sat")) {
                    overflow = Overflow.SAT;
                } else if (call.argIs(j, "fail")) {
                    overflow = Overflow.FAIL;
                } else {
                    call.reply().error(Errors.BITFIELD_OVERFLOW_TYPE);
                    return null;
                }
                continue;
            } else {
                call.syntaxError();
                return null;
            }
            byte[] type = call.arg(j + 1);
            int bits = bitsOf(type);
            if (bits == 0) {
                call.reply().error(Errors.BITFIELD_TYPE);
                return null;
            }
            long offset = BitCommands.bitOffsetOrReply(call, call.arg(j + 2), true, bits);
            if (offset < 0) {
                return null;
            }
            long argument = 0;
            if (opcode != Opcode.GET) {
                Long parsed = Numbers.parseLong(call.arg(j + 3));
                if (parsed == null) {
                    call.reply().error(Errors.NOT_INTEGER);
                    return null;
                }
                argument = parsed;
            }
            operations.add(new Operation(opcode, type[0] == 'i', bits, offset, argument, overflow));
            j += opcode == Opcode.GET ? 2 : 3;
        }
        return operations;
    }

    /** The width of a type "i1".."i64" or "u1".."u63" (lower case only, as Redis), or 0 when invalid. */
    private static int bitsOf(byte[] type) {
        if (type.length == 0 || (type[0] != 'i' && type[0] != 'u')) {
            return 0;
        }
        Long bits = Numbers.parseLong(type, 1, type.length - 1);
        int max = type[0] == 'i' ? 64 : 63;
        return bits == null || bits < 1 || bits > max ? 0 : (int) (long) bits;
    }

    /** The operation's integer read from {@code length} bytes at {@code base}; bytes beyond read as zero. */
    private static long read(Operation op, byte[] bytes, int base, int length) {
        long value = 0;
        long bit = op.offset();
        for (int k = 0; k < op.bits(); k++, bit++) {
            long index = bit >>> 3;
            int b = index < length ? bytes[base + (int) index] : 0;
            value = (value << 1) | ((b >> (7 - (int) (bit & 7))) & 1);
        }
        if (op.signed() && op.bits() < 64 && (value & (1L << (op.bits() - 1))) != 0) {
            value |= -1L << op.bits(); // sign-extend
        }
        return value;
    }

    /** Writes the low {@code bits} bits of {@code value} at bit {@code offset}, most significant first. */
    private static void write(byte[] bytes, long offset, int bits, long value) {
        long bit = offset;
        for (int k = 0; k < bits; k++, bit++) {
            int index = (int) (bit >>> 3);
            int mask = 1 << (7 - (int) (bit & 7));
            if (((value >>> (bits - 1 - k)) & 1) != 0) {
                bytes[index] |= (byte) mask;
            } else {
                bytes[index] &= (byte) ~mask;
            }
        }
    }

    /**
     * {@code value + increment} stored in an unsigned field of {@code bits} (at most 63), where
     * {@code value} is read as an unsigned 64-bit number (a negative SET value is huge).
     *
     * @return the value to store, or null for an overflow under FAIL
     */
    private static Long unsignedWithOverflow(long value, long increment, int bits, Overflow overflow) {
        long max = (1L << bits) - 1;
        long maxIncrement = max - value;
        long minIncrement = -value;
        boolean over = Long.compareUnsigned(value, max) > 0 || (increment > 0 && increment > maxIncrement);
        boolean under = !over && increment < 0 && increment < minIncrement;
        if (!over && !under) {
            return value + increment;
        }
        return switch (overflow) {
            case WRAP -> (value + increment) & max;
            case SAT -> over ? max : 0;
            case FAIL -> null;
        };
    }

    /**
     * {@code value + increment} stored in a signed field of {@code bits} (at most 64).
     *
     * @return the value to store, or null for an overflow under FAIL
     */
    private static Long signedWithOverflow(long value, long increment, int bits, Overflow overflow) {
        long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
        long min = -max - 1;
        // these may wrap; they are only compared once value is known to be in range, as in Redis
        long maxIncrement = max - value;
        long minIncrement = min - value;
        boolean over = value > max || (bits != 64 && increment > maxIncrement)
                || (value >= 0 && increment > 0 && increment > maxIncrement);
        boolean under = !over && (value < min || (bits != 64 && increment < minIncrement)
                || (value < 0 && increment < 0 && increment < minIncrement));
        if (!over && !under) {
            return value + increment;
        }
        return switch (overflow) {
            case WRAP -> {
                long sum = value + increment;
                if (bits < 64) {
                    long mask = -1L << bits;
                    sum = (sum & (1L << (bits - 1))) != 0 ? sum | mask : sum & ~mask;
                }
                yield sum;
            }
            case SAT -> over ? max : min;
            case FAIL -> null;
        };
    }
}
