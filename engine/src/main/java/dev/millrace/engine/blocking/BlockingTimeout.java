package dev.millrace.engine.blocking;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.util.LongDouble;
import dev.millrace.engine.util.Numbers;

/**
 * A blocking command's timeout argument as Redis 7.0's getTimeoutFromObjectOrReply reads it, turned
 * into the deadline {@link BlockingKeys#block} takes: unix milliseconds, or {@link #FOREVER} for 0.
 * Stateless.
 */
public final class BlockingTimeout {
    /** The deadline of a client that waits until served (timeout 0). */
    public static final long FOREVER = 0;
    /** The deadline Redis's overflowing addition leaves unreachable: the client waits for ever, though it counts as having a timeout. */
    private static final long UNREACHABLE = Long.MAX_VALUE;

    private BlockingTimeout() {
    }

    /**
     * A timeout in seconds, fractional allowed (BLPOP, BLMOVE, BZPOPMIN ...), as Redis 7.0 computes it:
     * parsed as a C long double ({@code strtold}), multiplied by 1000 in that precision and rounded up
     * to whole milliseconds ({@code ceill}), so 0.0001 waits 1 ms and -0.0009 (rounded up to 0) waits
     * for ever. Replies the error itself ("ERR timeout is not a float or out of range", "ERR timeout is
     * negative": an infinity or 2^63 ms and more read as negative, as they convert on x86).
     *
     * @return the deadline, or null after an error reply
     */
    public static Long seconds(Call call, int argIndex) {
        LongDouble seconds = Numbers.parseLongDouble(call.arg(argIndex));
        if (seconds == null) {
            call.reply().error(Errors.TIMEOUT_NOT_FLOAT);
            return null;
        }
        return deadline(call, seconds.multiply(1000).toLongCeiling());
    }

    /**
     * A timeout in whole milliseconds (XREAD and XREADGROUP BLOCK). Replies the error itself ("ERR
     * timeout is not an integer or out of range", "ERR timeout is negative").
     *
     * @return the deadline, or null after an error reply
     */
    public static Long milliseconds(Call call, int argIndex) {
        Long millis = Numbers.parseLong(call.arg(argIndex));
        if (millis == null) {
            call.reply().error(Errors.TIMEOUT_NOT_INTEGER);
            return null;
        }
        return deadline(call, millis);
    }

    private static Long deadline(Call call, long millis) {
        if (millis < 0) {
            call.reply().error(Errors.TIMEOUT_NEGATIVE);
            return null;
        }
        if (millis == 0) {
            return FOREVER;
        }
        long deadline = millis + call.now();
        return deadline < millis ? UNREACHABLE : deadline;
    }
}
