package dev.millrace.engine.types;

import java.util.Iterator;

/**
 * One of the two forms of a {@link ZSet}: elements ordered by (score, member), addressed by member
 * and by index. Scores compare as C doubles (-0 equals 0, ties broken by member bytes). The methods
 * do no conversion and check no thresholds: {@link ZSet} does.
 */
interface ZSetForm {
    long size();

    /** The member's score, or null when absent. */
    Double score(byte[] member);

    /** The member's index in ascending order, or -1 when absent. */
    long rank(byte[] member);

    /** The element at {@code index} (0 &lt;= index &lt; size). */
    ZSet.Element get(long index);

    /** Elements from {@code index} towards the end ({@code ascending}) or towards index 0. */
    Iterator<ZSet.Element> iterator(long index, boolean ascending);

    /** Index of the first element in the range, or -1 when none is. */
    long firstIndex(ScoreRange range);

    /** Index of the last element in the range, or -1 when none is. */
    long lastIndex(ScoreRange range);

    /** As Redis finds the first element of a lex range in this encoding; -1 when none. */
    long firstIndex(LexRange range);

    /** As Redis finds the last element of a lex range in this encoding; -1 when none. */
    long lastIndex(LexRange range);

    /** ZLEXCOUNT as Redis counts in this encoding. */
    long lexCount(LexRange range);

    /** Adds a member that is not in the set. */
    void insert(byte[] member, double score);

    /** Moves a present member from {@code oldScore} to {@code newScore}. */
    void update(byte[] member, double oldScore, double newScore);

    /** Removes a member; returns whether it was there. */
    boolean remove(byte[] member);

    /** Removes the elements at indexes [from, to). */
    void removeRange(long from, long to);

    /**
     * Visits some elements from {@code cursor} (0 starts) and returns the cursor to continue from, 0
     * when done; every element present for the whole scan is visited at least once.
     */
    long scan(long cursor, long count, java.util.function.Consumer<ZSet.Element> visitor);
}
