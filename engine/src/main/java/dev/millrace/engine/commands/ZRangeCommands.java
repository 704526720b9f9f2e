package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.types.LexRange;
import dev.millrace.engine.types.ScoreRange;
import dev.millrace.engine.types.ZSet;
import dev.millrace.engine.util.Numbers;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The sorted-set range commands: ZRANGE (BYSCORE, BYLEX, REV, LIMIT, WITHSCORES) and its older forms
 * ZREVRANGE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX; ZRANGESTORE; ZCOUNT and
 * ZLEXCOUNT; ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX. Registered through
 * {@link ZSetCommands}.
 *
 * <p>A range is found by index: in the skiplist form the first element of a score range is one
 * tree rank away, so a range with LIMIT costs O(log n + offset + count) and ZCOUNT O(log n).
 * Execution thread only.
 */
final class ZRangeCommands implements CommandFamily {
    private enum By { AUTO, RANK, SCORE, LEX }

    private enum Direction { AUTO, FORWARD, REVERSE }

    @Override
    public void register(Bindings bind) {
        bind.bind("zrange", call -> range(call, 1, false, By.AUTO, Direction.AUTO));
        bind.bind("zrangestore", call -> range(call, 2, true, By.AUTO, Direction.AUTO));
        bind.bind("zrevrange", call -> range(call, 1, false, By.RANK, Direction.REVERSE));
        bind.bind("zrangebyscore", call -> range(call, 1, false, By.SCORE, Direction.FORWARD));
        bind.bind("zrevrangebyscore", call -> range(call, 1, false, By.SCORE, Direction.REVERSE));
        bind.bind("zrangebylex", call -> range(call, 1, false, By.LEX, Direction.FORWARD));
        bind.bind("zrevrangebylex", call -> range(call, 1, false, By.LEX, Direction.REVERSE));
        bind.bind("zcount", this::count);
        bind.bind("zlexcount", this::lexCount);
        bind.bind("zremrangebyrank", call -> removeRange(call, By.RANK));
        bind.bind("zremrangebyscore", call -> removeRange(call, By.SCORE));
        bind.bind("zremrangebylex", call -> removeRange(call, By.LEX));
    }

    /**
     * Redis's zrangeGenericCommand: options first (the ones the command's form leaves open), their
     * conflicts, then the range ends (REV swaps them for BYSCORE and BYLEX), then the key.
     *
     * @param keyIndex where the source key is; ZRANGESTORE's destination is just before it
     */
    private void range(Call call, int keyIndex, boolean store, By by, Direction direction) {
        boolean withScores = false;
        long offset = 0;
        long limit = -1;
        for (int i = keyIndex + 3; i < call.argc(); i++) {
            int left = call.argc() - i - 1;
            if (!store && call.argIs(i, "withscores")) {
                withScores = true;
            } else if (call.argIs(i, "limit") && left >= 2) {
                Long o = Numbers.parseLong(call.arg(i + 1));
                Long l = o == null ? null : Numbers.parseLong(call.arg(i + 2));
                if (l == null) {
                    call.reply().error(Errors.NOT_INTEGER);
                    return;
                }
                offset = o;
                limit = l;
                i += 2;
            } else if (direction == Direction.AUTO && call.argIs(i, "rev")) {
                direction = Direction.REVERSE;
            } else if (by == By.AUTO && call.argIs(i, "bylex")) {
                by = By.LEX;
            } else if (by == By.AUTO && call.argIs(i, "byscore")) {
                by = By.SCORE;
            } else {
                call.syntaxError();
                return;
            }
        }
        boolean reverse = direction == Direction.REVERSE;
        by = by == By.AUTO ? By.RANK : by;
        if (limit != -1 && by == By.RANK) {
            call.reply().error(Errors.LIMIT_NEEDS_BYSCORE_OR_BYLEX);
            return;
        }
        if (withScores && by == By.LEX) {
            call.reply().error(Errors.WITHSCORES_WITH_BYLEX);
            return;
        }
        byte[] low = call.arg(keyIndex + (reverse && by != By.RANK ? 2 : 1));
        byte[] high = call.arg(keyIndex + (reverse && by != By.RANK ? 1 : 2));
        Selection selection = parse(call, by, low, high);
        if (selection == null) {
            return;
        }
        byte[] record = ZSetCommands.lookup(call, call.arg(keyIndex), false);
        if (record == ZSetCommands.WRONG_TYPE) {
            return;
        }
        List<ZSet.Element> result = record == null ? List.of()
                : selection.select(StoredZSet.read(call, record), reverse, offset, limit);
        if (store) {
            storeResult(call, call.arg(1), result);
        } else {
            ZSetCommands.replyElements(call.reply(), result, withScores);
        }
    }

    /** Writes a result to the destination (a new key, without TTL), or deletes it for an empty result. */
    static void storeResult(Call call, byte[] destination, List<ZSet.Element> result) {
        if (result.isEmpty()) {
            call.keyspace().delete(call.db(), destination, call.now());
        } else {
            StoredZSet.build(call, destination, result).save(1);
        }
        call.reply().integer(result.size());
    }

    // ---------------------------------------------------------------- selections

    /** A parsed range: selects its elements (ZRANGE ...) or their indexes (ZREMRANGEBY ...). */
    private interface Selection {
        List<ZSet.Element> select(ZSet zset, boolean reverse, long offset, long limit);

        /** The indexes [from, to) of the elements in range, for removal. */
        long[] span(ZSet zset);
    }

    /**
     * A score or lex range, walked as Redis walks it: from the first element in range (the last when
     * reversed), skipping {@code offset} elements, then taking up to {@code limit} (negative: all)
     * while they stay in range; a negative offset, or one past the set, selects nothing.
     */
    private abstract static class Walk implements Selection {
        /** Where the walk starts: the first element in range, or the last when reversed; -1 for none. */
        abstract long start(ZSet zset, boolean reverse);

        /** Whether an element met on the walk is still in range (past max, or before min when reversed). */
        abstract boolean inRange(ZSet.Element e, boolean reverse);

        @Override
        public List<ZSet.Element> select(ZSet zset, boolean reverse, long offset, long limit) {
            long start = start(zset, reverse);
            if (start < 0 || offset < 0 || offset >= zset.size()) {
                return List.of();
            }
            List<ZSet.Element> result = new ArrayList<>();
            Iterator<ZSet.Element> it = zset.iterator(reverse ? start - offset : start + offset, !reverse);
            while (it.hasNext() && limit-- != 0) {
                ZSet.Element e = it.next();
                if (!inRange(e, reverse)) {
                    break;
                }
                result.add(e);
            }
            return result;
        }

        @Override
        public long[] span(ZSet zset) {
            long from = start(zset, false);
            if (from < 0) {
                return new long[]{0, 0};
            }
            long to = from;
            for (Iterator<ZSet.Element> it = zset.iterator(from, true); it.hasNext() && inRange(it.next(), false); ) {
                to++;
            }
            return new long[]{from, to};
        }
    }

    /** The range's ends parsed for its kind; null after replying the parse error. */
    private static Selection parse(Call call, By by, byte[] low, byte[] high) {
        switch (by) {
            case RANK -> {
                Long start = Numbers.parseLong(low);
                Long end = start == null ? null : Numbers.parseLong(high);
                if (end == null) {
                    call.reply().error(Errors.NOT_INTEGER);
                    return null;
                }
                return new RankSelection(start, end);
            }
            case SCORE -> {
                ScoreRange range = ScoreRange.parse(low, high);
                if (range == null) {
                    call.reply().error(Errors.MIN_MAX_NOT_FLOAT);
                    return null;
                }
                return new Walk() {
                    @Override
                    long start(ZSet zset, boolean reverse) {
                        return reverse ? zset.lastIndex(range) : zset.firstIndex(range);
                    }

                    @Override
                    boolean inRange(ZSet.Element e, boolean reverse) {
                        return reverse ? range.aboveMin(e.score()) : range.belowMax(e.score());
                    }
                };
            }
            default -> {
                LexRange range = LexRange.parse(low, high);
                if (range == null) {
                    call.reply().error(Errors.MIN_MAX_NOT_LEX);
                    return null;
                }
                return new Walk() {
                    @Override
                    long start(ZSet zset, boolean reverse) {
                        return reverse ? zset.lastIndex(range) : zset.firstIndex(range);
                    }

                    @Override
                    boolean inRange(ZSet.Element e, boolean reverse) {
                        return reverse ? range.aboveMin(e.member()) : range.belowMax(e.member());
                    }
                };
            }
        }
    }

    /** Ranks [start, end], negative ones counted from the end, clamped as Redis clamps them. */
    private static final class RankSelection implements Selection {
        private final long start;
        private final long end;

        RankSelection(long start, long end) {
            this.start = start;
            this.end = end;
        }

        @Override
        public long[] span(ZSet zset) {
            long size = zset.size();
            long from = start < 0 ? Math.max(start + size, 0) : start;
            long to = end < 0 ? end + size : end;
            if (from > to || from >= size) {
                return new long[]{0, 0};
            }
            return new long[]{from, Math.min(to, size - 1) + 1};
        }

        @Override
        public List<ZSet.Element> select(ZSet zset, boolean reverse, long offset, long limit) {
            long[] span = span(zset);
            int n = (int) (span[1] - span[0]);
            List<ZSet.Element> result = new ArrayList<>(n);
            Iterator<ZSet.Element> it = zset.iterator(reverse ? zset.size() - 1 - span[0] : span[0], !reverse);
            for (int i = 0; i < n; i++) {
                result.add(it.next());
            }
            return result;
        }
    }

    // ---------------------------------------------------------------- ZCOUNT, ZLEXCOUNT

    private void count(Call call) {
        ScoreRange range = ScoreRange.parse(call.arg(2), call.arg(3));
        if (range == null) {
            call.reply().error(Errors.MIN_MAX_NOT_FLOAT);
            return;
        }
        byte[] record = ZSetCommands.lookup(call, call.arg(1), false);
        if (record == ZSetCommands.WRONG_TYPE) {
            return;
        }
        call.reply().integer(record == null ? 0 : StoredZSet.read(call, record).count(range));
    }

    private void lexCount(Call call) {
        LexRange range = LexRange.parse(call.arg(2), call.arg(3));
        if (range == null) {
            call.reply().error(Errors.MIN_MAX_NOT_LEX);
            return;
        }
        byte[] record = ZSetCommands.lookup(call, call.arg(1), false);
        if (record == ZSetCommands.WRONG_TYPE) {
            return;
        }
        call.reply().integer(record == null ? 0 : StoredZSet.read(call, record).lexCount(range));
    }

    // ---------------------------------------------------------------- ZREMRANGEBY*

    /** ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX key min max: the range is parsed first. */
    private void removeRange(Call call, By by) {
        Selection selection = parse(call, by, call.arg(2), call.arg(3));
        if (selection == null) {
            return;
        }
        byte[] key = call.arg(1);
        byte[] record = ZSetCommands.lookup(call, key, true);
        if (record == ZSetCommands.WRONG_TYPE) {
            return;
        }
        if (record == null) {
            call.reply().integer(0);
            return;
        }
        StoredZSet stored = StoredZSet.load(call, key, record);
        long[] span = selection.span(stored.value());
        long removed = span[1] - span[0];
        if (removed > 0) {
            stored.value().removeRange(span[0], span[1]);
            stored.save(removed);
        }
        call.reply().integer(removed);
    }
}
