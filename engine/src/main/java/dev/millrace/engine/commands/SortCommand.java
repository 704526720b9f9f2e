package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.types.ListValue;
import dev.millrace.engine.types.ZSet;
import dev.millrace.engine.util.Numbers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * SORT and SORT_RO on lists, sets and sorted sets, as Redis 7.0.15's sortCommandGeneric (src/sort.c,
 * Copyright (c) 2009-2012, Salvatore Sanfilippo, BSD-3-Clause): the same option parsing, LIMIT
 * clamping, BY / GET pattern lookups, comparison and tie-breaking, STORE semantics and errors.
 *
 * <p>Comparison: numeric sorting compares the parsed doubles and breaks ties by the elements' bytes
 * (binary, shorter prefix first), so it is deterministic. ALPHA compares with {@code strcoll} in Redis
 * unless STORE is given (then binary); Millrace compares as the C/C.UTF-8 locale's {@code strcoll}
 * does, which is {@code strcmp}: unsigned bytes up to the first NUL. ALPHA with BY leaves ties in input
 * order (glibc's qsort is a stable merge sort; so is {@link List#sort}).
 *
 * <p>A sorted set in the listpack encoding is converted to a skiplist first, as Redis does.
 *
 * <p>A set sorted with a constant BY pattern (no sorting) and STORE is sorted ALPHA instead, as Redis
 * does so that the stored list is deterministic; Redis does the same inside a Lua script, which
 * Millrace does not run yet.
 *
 * <p>Effects: SORT ... STORE is logged as its own argv, as Redis propagates it: replay runs it on the
 * same keyspace and this handler is deterministic for a given keyspace, so it rebuilds the same list.
 * Execution thread only.
 */
public final class SortCommand implements CommandFamily {

    @Override
    public void register(Bindings bind) {
        bind.bind("sort", call -> sort(call, false));
        bind.bind("sort_ro", call -> sort(call, true));
    }

    /** The parsed options of one SORT. */
    private static final class Options {
        boolean desc;
        boolean alpha;
        long limitStart = 0;
        long limitCount = -1;
        byte[] sortBy;
        boolean dontSort;
        byte[] storeKey;
        final List<byte[]> getPatterns = new ArrayList<>();
    }

    /** One element to sort with its numeric weight or its ALPHA weight from a BY pattern (null: none). */
    private static final class Item {
        final byte[] element;
        double score;
        byte[] weight;

        Item(byte[] element) {
            this.element = element;
        }
    }

    private static void sort(Call call, boolean readOnly) {
        Options options = parse(call, readOnly);
        if (options == null) {
            return;
        }
        byte[] record = call.keyspace().lookupRead(call.db(), call.arg(1), call.now());
        ValueType type = record == null ? ValueType.LIST : Record.typeOf(record);
        if (type != ValueType.LIST && type != ValueType.SET && type != ValueType.ZSET) {
            call.wrongType();
            return;
        }
        // A set in no particular order must come out the same on replay and in a replica: sort it.
        if (options.dontSort && type == ValueType.SET && options.storeKey != null) {
            options.dontSort = false;
            options.alpha = true;
            options.sortBy = null;
        }
        if (type == ValueType.ZSET && !Record.isPaged(record)) {
            record = convertToSkiplist(call, record);
        }
        long length = record == null ? 0 : length(call, type, record);
        long start = Math.min(Math.max(options.limitStart, 0), length);
        long count = Math.min(Math.max(options.limitCount, -1), length);
        long end = count < 0 ? length - 1 : start + count - 1;
        if (start >= length) {
            start = length - 1;
            end = length - 2;
        }
        if (end >= length) {
            end = length - 1;
        }
        List<Item> items;
        if (options.dontSort && type != ValueType.SET) {
            // Lists and sorted sets keep their own order: read just the range, in the asked direction.
            items = end >= start ? range(call, type, record, length, start, end - start + 1, options.desc) : List.of();
            end -= start;
            start = 0;
        } else {
            items = all(call, type, record);
        }
        if (!options.dontSort && !weigh(call, options, items)) {
            call.reply().error(Errors.SORT_SCORE_NOT_DOUBLE);
            return;
        }
        if (!options.dontSort) {
            items.sort(comparator(options));
        }
        int rows = (int) (end - start + 1);
        if (options.storeKey == null) {
            reply(call, options, items, (int) start, rows);
        } else {
            store(call, options, items, (int) start, rows);
        }
    }

    /**
     * Redis's SORT converts a listpack sorted set to a skiplist in place before reading it (OBJECT
     * ENCODING shows it afterwards), without counting a change: nothing is logged for it, so a replayed
     * keyspace keeps the listpack, as an AOF reload in Redis does.
     *
     * @return the key's record after the conversion
     */
    private static byte[] convertToSkiplist(Call call, byte[] record) {
        StoredZSet zset = StoredZSet.load(call, call.arg(1), record);
        zset.value().convertToSkiplist();
        zset.save(0);
        return call.keyspace().store().get(call.db(), call.arg(1));
    }

    private static Options parse(Call call, boolean readOnly) {
        Options options = new Options();
        for (int j = 2; j < call.argc(); j++) {
            int left = call.argc() - j - 1;
            if (call.argIs(j, "asc")) {
                options.desc = false;
            } else if (call.argIs(j, "desc")) {
                options.desc = true;
            } else if (call.argIs(j, "alpha")) {
                options.alpha = true;
            } else if (call.argIs(j, "limit") && left >= 2) {
                Long offset = Numbers.parseLong(call.arg(j + 1));
                Long count = offset == null ? null : Numbers.parseLong(call.arg(j + 2));
                if (count == null) {
                    call.reply().error(Errors.NOT_INTEGER);
                    return null;
                }
                options.limitStart = offset;
                options.limitCount = count;
                j += 2;
            } else if (!readOnly && call.argIs(j, "store") && left >= 1) {
                options.storeKey = call.arg(++j);
            } else if (call.argIs(j, "by") && left >= 1) {
                options.sortBy = call.arg(++j);
                // A BY pattern without '*' names no per-element key: nothing to sort by. As in Redis, a
                // later BY with a '*' does not undo it.
                if (star(options.sortBy) < 0) {
                    options.dontSort = true;
                }
            } else if (call.argIs(j, "get") && left >= 1) {
                options.getPatterns.add(call.arg(++j));
            } else {
                call.syntaxError();
                return null;
            }
        }
        return options;
    }

    private static long length(Call call, ValueType type, byte[] record) {
        return switch (type) {
            case LIST -> StoredList.length(record);
            case SET -> StoredSet.load(call, record).value().size();
            default -> StoredZSet.read(call, record).size();
        };
    }

    /** {@code count} elements of a list or sorted set from {@code start} (counted from the tail when descending). */
    private static List<Item> range(Call call, ValueType type, byte[] record, long length, long start, long count,
                                    boolean descending) {
        long from = descending ? length - start - 1 : start;
        Iterator<byte[]> elements;
        if (type == ValueType.LIST) {
            ListValue list = StoredList.load(call, record).value();
            elements = descending ? list.descendingIterator(from) : list.iterator(from);
        } else {
            elements = members(StoredZSet.read(call, record).iterator(from, !descending));
        }
        List<Item> items = new ArrayList<>((int) count);
        while (items.size() < count && elements.hasNext()) {
            items.add(new Item(elements.next()));
        }
        return items;
    }

    private static List<Item> all(Call call, ValueType type, byte[] record) {
        if (record == null) {
            return new ArrayList<>();
        }
        Iterator<byte[]> elements = switch (type) {
            case LIST -> StoredList.load(call, record).value().iterator(0);
            case SET -> StoredSet.load(call, record).value().iterator();
            default -> members(StoredZSet.read(call, record).iterator(0, true));
        };
        List<Item> items = new ArrayList<>();
        elements.forEachRemaining(element -> items.add(new Item(element)));
        return items;
    }

    private static Iterator<byte[]> members(Iterator<ZSet.Element> elements) {
        return new Iterator<>() {
            @Override public boolean hasNext() { return elements.hasNext(); }
            @Override public byte[] next() { return elements.next().member(); }
        };
    }

    /**
     * Gives every item its weight: with ALPHA the BY pattern's value (nothing without BY: the element
     * itself is compared), otherwise a double parsed from the BY value or the element (0 when the BY
     * key is missing).
     *
     * @return false when a value is not a double (Redis's int_conversion_error)
     */
    private static boolean weigh(Call call, Options options, List<Item> items) {
        boolean allNumeric = true;
        for (Item item : items) {
            byte[] value = item.element;
            if (options.sortBy != null) {
                value = lookupByPattern(call, options.sortBy, item.element);
                if (value == null) {
                    continue;
                }
            }
            if (options.alpha) {
                if (options.sortBy != null) {
                    item.weight = value;
                }
            } else {
                Double score = parseScore(value);
                if (score == null) {
                    allNumeric = false;
                } else {
                    item.score = score;
                }
            }
        }
        return allNumeric;
    }

    /**
     * A weight as Redis reads it with {@code strtod}: leading space allowed, the rest up to a NUL byte
     * must be the number (so "" is 0), and NaN or a value out of range is refused: overflow, underflow
     * to zero, or a decimal that rounds to a subnormal (glibc sets ERANGE for an inexact subnormal; a
     * decimal never is exact there in practice, a hexadecimal float is taken as exact).
     */
    private static Double parseScore(byte[] value) {
        Numbers.ParsedDouble parsed = Numbers.strtod(value, 0);
        double score = parsed.value();
        boolean subnormal = score != 0 && Math.abs(score) < Double.MIN_NORMAL && !isHex(value);
        if ((parsed.end() < value.length && value[parsed.end()] != 0) || parsed.outOfRange() || subnormal
                || Double.isNaN(score)) {
            return null;
        }
        return score;
    }

    /** Whether the number is written as a hexadecimal float (after white space and a sign). */
    private static boolean isHex(byte[] value) {
        int i = 0;
        while (i < value.length && (value[i] == ' ' || (value[i] >= '\t' && value[i] <= '\r'))) {
            i++;
        }
        if (i < value.length && (value[i] == '+' || value[i] == '-')) {
            i++;
        }
        return i + 1 < value.length && value[i] == '0' && (value[i + 1] | 0x20) == 'x';
    }

    /** Redis's sortCompare. */
    private static Comparator<Item> comparator(Options options) {
        boolean binary = options.storeKey != null;
        Comparator<Item> ascending;
        if (!options.alpha) {
            ascending = (a, b) -> a.score > b.score ? 1 : a.score < b.score ? -1 : binaryCompare(a.element, b.element);
        } else if (options.sortBy != null) {
            ascending = (a, b) -> {
                if (a.weight == null || b.weight == null) {
                    return a.weight == b.weight ? 0 : a.weight == null ? -1 : 1;
                }
                return binary ? binaryCompare(a.weight, b.weight) : cStringCompare(a.weight, b.weight);
            };
        } else {
            ascending = (a, b) -> binary ? binaryCompare(a.element, b.element) : cStringCompare(a.element, b.element);
        }
        return options.desc ? ascending.reversed() : ascending;
    }

    /** Redis's compareStringObjects: unsigned bytes, then the shorter first. */
    private static int binaryCompare(byte[] a, byte[] b) {
        return Integer.signum(Arrays.compareUnsigned(a, b));
    }

    /** strcmp (strcoll in the C locale): unsigned bytes up to the first NUL of each. */
    private static int cStringCompare(byte[] a, byte[] b) {
        return Integer.signum(Arrays.compareUnsigned(a, 0, cLength(a), b, 0, cLength(b)));
    }

    private static int cLength(byte[] s) {
        for (int i = 0; i < s.length; i++) {
            if (s[i] == 0) {
                return i;
            }
        }
        return s.length;
    }

    private static void reply(Call call, Options options, List<Item> items, int start, int rows) {
        ReplyWriter out = call.reply();
        List<byte[]> gets = options.getPatterns;
        out.array(gets.isEmpty() ? rows : gets.size() * rows);
        for (int j = start; j < start + rows; j++) {
            byte[] element = items.get(j).element;
            if (gets.isEmpty()) {
                out.bulk(element);
            }
            for (byte[] pattern : gets) {
                byte[] value = lookupByPattern(call, pattern, element);
                if (value == null) {
                    out.nullBulk();
                } else {
                    out.bulk(value);
                }
            }
        }
    }

    /** STORE: the result as a new list (a missing GET value stored as ""), or the key deleted when empty. */
    private static void store(Call call, Options options, List<Item> items, int start, int rows) {
        List<byte[]> gets = options.getPatterns;
        long stored = gets.isEmpty() ? rows : (long) gets.size() * rows;
        if (stored == 0) {
            call.keyspace().delete(call.db(), options.storeKey, call.now());
            call.reply().integer(0);
            return;
        }
        StoredList list = StoredList.create(call);
        for (int j = start; j < start + rows; j++) {
            byte[] element = items.get(j).element;
            if (gets.isEmpty()) {
                list.value().push(false, element);
            }
            for (byte[] pattern : gets) {
                byte[] value = lookupByPattern(call, pattern, element);
                list.value().push(false, value == null ? new byte[0] : value);
            }
        }
        list.save(options.storeKey, stored);
        call.reply().integer(stored);
    }

    /**
     * Redis's lookupKeyByPattern: "#" is the element itself; otherwise the first '*' is replaced by the
     * element to name a string key, or with "->field" after the '*' a hash key and its field. Null when
     * the pattern has no '*' or the key, the field or the right type is missing. Patterns are read as
     * C strings (up to a NUL byte), as Redis's strchr and strstr read them.
     */
    private static byte[] lookupByPattern(Call call, byte[] pattern, byte[] element) {
        if (pattern.length > 0 && pattern[0] == '#' && (pattern.length == 1 || pattern[1] == 0)) {
            return element;
        }
        int star = star(pattern);
        if (star < 0) {
            return null;
        }
        int arrow = arrow(pattern, star + 1);
        int keyEnd = arrow < 0 ? pattern.length : arrow;
        byte[] key = new byte[star + element.length + keyEnd - star - 1];
        System.arraycopy(pattern, 0, key, 0, star);
        System.arraycopy(element, 0, key, star, element.length);
        System.arraycopy(pattern, star + 1, key, star + element.length, keyEnd - star - 1);
        if (arrow >= 0) {
            return HashKey.fieldValue(call, key, Arrays.copyOfRange(pattern, arrow + 2, pattern.length));
        }
        byte[] record = call.keyspace().lookupRead(call.db(), key, call.now());
        return record == null || !StringKeys.isString(record) ? null : StringKeys.value(record);
    }

    /** The first '*' before any NUL byte, or -1. */
    private static int star(byte[] pattern) {
        for (int i = 0; i < pattern.length && pattern[i] != 0; i++) {
            if (pattern[i] == '*') {
                return i;
            }
        }
        return -1;
    }

    /** The first "->" from {@code from} (before any NUL) followed by a non-empty field, or -1. */
    private static int arrow(byte[] pattern, int from) {
        for (int i = from; i + 1 < pattern.length && pattern[i] != 0 && pattern[i + 1] != 0; i++) {
            if (pattern[i] == '-' && pattern[i + 1] == '>') {
                return i + 2 < pattern.length && pattern[i + 2] != 0 ? i : -1;
            }
        }
        return -1;
    }
}
