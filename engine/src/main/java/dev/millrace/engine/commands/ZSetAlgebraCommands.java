package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.types.ZSet;
import dev.millrace.engine.util.Numbers;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The sorted-set algebra: ZUNION, ZINTER, ZDIFF, their *STORE forms, and ZINTERCARD, as Redis 7.0's
 * zunionInterDiffGenericCommand computes them: inputs may be sorted sets or plain sets (a set member
 * scores 1), a missing key is an empty input, WEIGHTS multiply the scores (a NaN product counts as 0)
 * and AGGREGATE SUM|MIN|MAX combines them (a NaN sum, inf + -inf, counts as 0). Union and
 * intersection visit their inputs from the smallest up, as Redis does, so sums round as Redis's do.
 * Registered through {@link ZSetCommands}. Execution thread only.
 */
final class ZSetAlgebraCommands implements CommandFamily {
    private enum Op { UNION, INTER, DIFF }

    private enum Aggregate { SUM, MIN, MAX }

    @Override
    public void register(Bindings bind) {
        bind.bind("zunion", call -> compute(call, Op.UNION, false, false));
        bind.bind("zinter", call -> compute(call, Op.INTER, false, false));
        bind.bind("zdiff", call -> compute(call, Op.DIFF, false, false));
        bind.bind("zunionstore", call -> compute(call, Op.UNION, true, false));
        bind.bind("zinterstore", call -> compute(call, Op.INTER, true, false));
        bind.bind("zdiffstore", call -> compute(call, Op.DIFF, true, false));
        bind.bind("zintercard", call -> compute(call, Op.INTER, false, true));
    }

    /** One input with its weight. */
    private record Input(Source source, double weight) {
    }

    /**
     * The argument order of Redis: numkeys, then every key looked up (WRONGTYPE before any option
     * error), then the options.
     */
    private void compute(Call call, Op op, boolean store, boolean cardinalityOnly) {
        int numKeysIndex = store ? 2 : 1;
        Long numKeys = Numbers.parseLong(call.arg(numKeysIndex));
        if (numKeys == null) {
            call.reply().error(Errors.NOT_INTEGER);
            return;
        }
        if (numKeys < 1) {
            call.reply().error(Errors.atLeastOneInputKey(call.spec().name()));
            return;
        }
        if (numKeys > call.argc() - (numKeysIndex + 1)) {
            call.syntaxError();
            return;
        }
        int n = numKeys.intValue();
        Source[] sources = new Source[n];
        for (int i = 0; i < n; i++) {
            byte[] record = call.keyspace().lookupRead(call.db(), call.arg(numKeysIndex + 1 + i), call.now());
            if (record == null) {
                sources[i] = Source.EMPTY;
            } else if (Record.typeOf(record) == ValueType.ZSET) {
                sources[i] = Source.of(StoredZSet.read(call, record));
            } else if (Record.typeOf(record) == ValueType.SET) {
                sources[i] = SetSource.read(call, record);
            } else {
                call.wrongType();
                return;
            }
        }

        double[] weights = new double[n];
        Arrays.fill(weights, 1.0);
        Aggregate aggregate = Aggregate.SUM;
        boolean withScores = false;
        long limit = 0;
        int j = numKeysIndex + 1 + n;
        while (j < call.argc()) {
            int remaining = call.argc() - j;
            boolean weighted = op != Op.DIFF && !cardinalityOnly;
            if (weighted && remaining >= n + 1 && call.argIs(j, "weights")) {
                j++;
                for (int i = 0; i < n; i++, j++) {
                    Double weight = Numbers.parseDouble(call.arg(j));
                    if (weight == null) {
                        call.reply().error(Errors.WEIGHT_NOT_FLOAT);
                        return;
                    }
                    weights[i] = weight;
                }
            } else if (weighted && remaining >= 2 && call.argIs(j, "aggregate")) {
                j++;
                if (call.argIs(j, "sum")) {
                    aggregate = Aggregate.SUM;
                } else if (call.argIs(j, "min")) {
                    aggregate = Aggregate.MIN;
                } else if (call.argIs(j, "max")) {
                    aggregate = Aggregate.MAX;
                } else {
                    call.syntaxError();
                    return;
                }
                j++;
            } else if (!store && !cardinalityOnly && call.argIs(j, "withscores")) {
                withScores = true;
                j++;
            } else if (cardinalityOnly && remaining >= 2 && call.argIs(j, "limit")) {
                Long parsed = Numbers.parseLong(call.arg(j + 1));
                if (parsed == null || parsed < 0) {
                    call.reply().error(Errors.LIMIT_NEGATIVE);
                    return;
                }
                limit = parsed;
                j += 2;
            } else {
                call.syntaxError();
                return;
            }
        }

        List<Input> inputs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            inputs.add(new Input(sources[i], weights[i]));
        }
        if (op != Op.DIFF) {
            // stable, as the merge sort behind glibc's qsort: equal sizes keep their order
            inputs.sort(Comparator.comparingLong(input -> input.source().size()));
        }
        if (cardinalityOnly) {
            call.reply().integer(interCard(inputs, limit));
            return;
        }
        List<ZSet.Element> result = switch (op) {
            case UNION -> union(inputs, aggregate);
            case INTER -> inter(inputs, aggregate);
            case DIFF -> diff(inputs);
        };
        result.sort(ZSetAlgebraCommands::compareElements);
        if (store) {
            ZRangeCommands.storeResult(call, call.arg(1), result);
        } else {
            ZSetCommands.replyElements(call.reply(), result, withScores);
        }
    }

    // ---------------------------------------------------------------- the operations

    private static List<ZSet.Element> union(List<Input> inputs, Aggregate aggregate) {
        Map<ByteBuffer, ZSet.Element> accumulated = new HashMap<>();
        for (Input input : inputs) {
            for (Iterator<ZSet.Element> it = input.source().elements(); it.hasNext(); ) {
                ZSet.Element e = it.next();
                double score = weighted(e.score(), input.weight());
                accumulated.merge(ByteBuffer.wrap(e.member()), new ZSet.Element(e.member(), score),
                        (old, added) -> new ZSet.Element(old.member(), aggregate(old.score(), added.score(), aggregate)));
            }
        }
        return new ArrayList<>(accumulated.values());
    }

    /** Walks the smallest input and keeps the members every other input has. */
    private static List<ZSet.Element> inter(List<Input> inputs, Aggregate aggregate) {
        List<ZSet.Element> result = new ArrayList<>();
        Input smallest = inputs.get(0);
        for (Iterator<ZSet.Element> it = smallest.source().elements(); it.hasNext(); ) {
            ZSet.Element e = it.next();
            double score = weighted(e.score(), smallest.weight());
            boolean everywhere = true;
            for (int j = 1; j < inputs.size() && everywhere; j++) {
                Double other = inputs.get(j).source().score(e.member());
                if (other == null) {
                    everywhere = false;
                } else {
                    score = aggregate(score, other * inputs.get(j).weight(), aggregate);
                }
            }
            if (everywhere) {
                result.add(new ZSet.Element(e.member(), score));
            }
        }
        return result;
    }

    /** ZINTERCARD: counts the intersection, stopping at {@code limit} (0: no limit). */
    private static long interCard(List<Input> inputs, long limit) {
        long count = 0;
        for (Iterator<ZSet.Element> it = inputs.get(0).source().elements(); it.hasNext(); ) {
            byte[] member = it.next().member();
            boolean everywhere = true;
            for (int j = 1; j < inputs.size() && everywhere; j++) {
                everywhere = inputs.get(j).source().score(member) != null;
            }
            if (everywhere && ++count == limit) {
                break;
            }
        }
        return count;
    }

    /** The first input's members that no other input has, with their own scores. */
    private static List<ZSet.Element> diff(List<Input> inputs) {
        List<ZSet.Element> result = new ArrayList<>();
        for (Iterator<ZSet.Element> it = inputs.get(0).source().elements(); it.hasNext(); ) {
            ZSet.Element e = it.next();
            boolean elsewhere = false;
            for (int j = 1; j < inputs.size() && !elsewhere; j++) {
                elsewhere = inputs.get(j).source().score(e.member()) != null;
            }
            if (!elsewhere) {
                result.add(e);
            }
        }
        return result;
    }

    /** A score times its input's weight; a NaN product (0 * inf) counts as 0. */
    private static double weighted(double score, double weight) {
        double product = weight * score;
        return Double.isNaN(product) ? 0 : product;
    }

    /** Redis's zunionInterAggregate, comparisons and all (a NaN value never wins MIN or MAX). */
    private static double aggregate(double target, double value, Aggregate aggregate) {
        return switch (aggregate) {
            case SUM -> {
                double sum = target + value;
                yield Double.isNaN(sum) ? 0.0 : sum;
            }
            case MIN -> value < target ? value : target;
            case MAX -> value > target ? value : target;
        };
    }

    /** The sorted-set order: score as C compares doubles (-0 equals 0), then member bytes. */
    static int compareElements(ZSet.Element a, ZSet.Element b) {
        if (a.score() < b.score()) {
            return -1;
        }
        if (a.score() > b.score()) {
            return 1;
        }
        return Arrays.compareUnsigned(a.member(), b.member());
    }

    // ---------------------------------------------------------------- inputs

    /** An input of the algebra, read-only. */
    interface Source {
        long size();

        /** The member's score, or null when the input does not have it. */
        Double score(byte[] member);

        Iterator<ZSet.Element> elements();

        Source EMPTY = new Source() {
            @Override public long size() { return 0; }
            @Override public Double score(byte[] member) { return null; }
            @Override public Iterator<ZSet.Element> elements() { return Collections.emptyIterator(); }
        };

        static Source of(ZSet zset) {
            return new Source() {
                @Override public long size() { return zset.size(); }
                @Override public Double score(byte[] member) { return zset.score(member); }
                @Override public Iterator<ZSet.Element> elements() { return zset.iterator(0, true); }
            };
        }
    }
}
