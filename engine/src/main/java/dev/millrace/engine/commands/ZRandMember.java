package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.types.ZSet;
import dev.millrace.engine.util.Numbers;

import java.util.Iterator;
import java.util.concurrent.ThreadLocalRandom;

/**
 * ZRANDMEMBER key [count [WITHSCORES]], as Redis 7.0's zrandmemberCommand: without a count one random
 * member (null when the key is missing); a positive count gives that many different members (the
 * whole set, from the highest score down, when it asks for at least all of them); a negative count
 * gives that many independent picks. With WITHSCORES, RESP3 pairs each member with its score. A read
 * command: it logs nothing. Execution thread only.
 */
final class ZRandMember {
    /**
     * A reply this long cannot be written (the writer counts in ints): refused, as SRANDMEMBER refuses
     * it, where Redis starts producing it and runs out of memory.
     */
    private static final long MAX_REPLY_LENGTH = Integer.MAX_VALUE;

    void execute(Call call) {
        if (call.argc() == 2) {
            single(call);
            return;
        }
        Long count = Numbers.parseLong(call.arg(2));
        if (count == null) {
            call.reply().error(Errors.NOT_INTEGER);
            return;
        }
        if (count == Long.MIN_VALUE) {
            call.reply().error(Errors.SRANDMEMBER_COUNT_RANGE);
            return;
        }
        boolean withScores = false;
        if (call.argc() > 4 || (call.argc() == 4 && !call.argIs(3, "withscores"))) {
            call.syntaxError();
            return;
        }
        if (call.argc() == 4) {
            withScores = true;
            if (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2) {
                call.reply().error(Errors.VALUE_OUT_OF_RANGE);
                return;
            }
        }
        withCount(call, count, withScores);
    }

    private void single(Call call) {
        byte[] record = ZSetCommands.lookup(call, call.arg(1), false);
        if (record == ZSetCommands.WRONG_TYPE) {
            return;
        }
        if (record == null) {
            call.reply().nullBulk();
            return;
        }
        ZSet zset = StoredZSet.read(call, record);
        zset.sample(1, false, ThreadLocalRandom.current(), e -> call.reply().bulk(e.member()));
    }

    private void withCount(Call call, long requested, boolean withScores) {
        byte[] record = ZSetCommands.lookup(call, call.arg(1), false);
        if (record == ZSetCommands.WRONG_TYPE) {
            return;
        }
        ReplyWriter out = call.reply();
        if (record == null || requested == 0) {
            out.array(0);
            return;
        }
        ZSet zset = StoredZSet.read(call, record);
        boolean distinct = requested > 0;
        long count = Math.abs(requested);
        long size = zset.size();
        long elements = distinct ? Math.min(count, size) : count;
        boolean pairs = withScores && out.protocol() > 2;
        long length = withScores && !pairs ? 2 * elements : elements;
        if (length > MAX_REPLY_LENGTH) {
            out.error(Errors.SRANDMEMBER_COUNT_TOO_LARGE);
            return;
        }
        out.array((int) length);
        if (distinct && count >= size) {
            // the whole set, as Redis's zset iterator walks it: from the tail
            for (Iterator<ZSet.Element> it = zset.iterator(size - 1, false); it.hasNext(); ) {
                replyElement(out, it.next(), withScores, pairs);
            }
            return;
        }
        zset.sample(count, distinct, ThreadLocalRandom.current(), e -> replyElement(out, e, withScores, pairs));
    }

    private static void replyElement(ReplyWriter out, ZSet.Element e, boolean withScores, boolean pairs) {
        if (pairs) {
            out.array(2);
        }
        out.bulk(e.member());
        if (withScores) {
            out.doubleValue(e.score());
        }
    }
}
