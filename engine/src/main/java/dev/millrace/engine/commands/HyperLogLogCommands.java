package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.keyspace.AccessClock;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.types.HyperLogLog;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.Random;

/**
 * The HyperLogLog commands of Redis 7.0: PFADD, PFCOUNT, PFMERGE, PFDEBUG and PFSELFTEST, on string
 * values in Redis's own representation ({@link HyperLogLog}), with Redis 7.0.15's replies, errors,
 * change counts and in-place edits, following its src/hyperloglog.c (BSD-3-Clause).
 *
 * <p>Like Redis, every command that opens an existing HyperLogLog for writing leaves it "raw" encoded
 * (Redis unshares the string first), which is no change in itself: it is stored without counting a
 * change or logging anything. Values made by these commands are always raw.
 *
 * <p>Effects: PFADD, PFMERGE and PFDEBUG GETREG/TODENSE are deterministic and log their own argv when
 * they change something. A single-key PFCOUNT that refreshes the cardinality cached in the value
 * changes the stored bytes, and Redis propagates it: it logs itself (replayed, it computes and caches
 * the same cardinality). A PFADD that fails on a corrupted value after some of its elements changed
 * registers keeps those changes, as Redis does; Redis neither counts nor propagates them, Millrace logs
 * the PFADD so that replay leaves the same bytes (replayed, it changes and fails the same way).
 *
 * <p>Execution thread only, like every family.
 */
public final class HyperLogLogCommands implements CommandFamily {
    /** PFSELFTEST's rounds of random register values, and the elements it adds (Redis's numbers). */
    private static final int SELFTEST_REGISTER_ROUNDS = 1000;
    private static final long SELFTEST_ELEMENTS = 10_000_000;

    private final Random random = new Random();

    public HyperLogLogCommands(Engine engine) {
        // handlers reach the engine through each Call
    }

    @Override
    public void register(Bindings bind) {
        bind.bind("pfadd", this::pfadd);
        bind.bind("pfcount", this::pfcount);
        bind.bind("pfmerge", this::pfmerge);
        bind.bind("pfdebug", this::pfdebug);
        bind.bind("pfselftest", this::pfselftest);
    }

    /** A HyperLogLog key opened for a command: a private copy of its value, and what to keep. */
    private static final class Opened {
        final HyperLogLog hll;
        final long expireAt;
        /** Whether the stored value is already raw: if not, opening it makes it so (see the class doc). */
        final boolean wasRaw;

        private Opened(HyperLogLog hll, long expireAt, boolean wasRaw) {
            this.hll = hll;
            this.expireAt = expireAt;
            this.wasRaw = wasRaw;
        }

        static Opened created() {
            return new Opened(HyperLogLog.empty(), Record.NO_EXPIRY, true);
        }

        /**
         * Redis's isHLLObjectOrReply on an existing key: a string that looks like a HyperLogLog.
         *
         * @return the opened key, or null after replying WRONGTYPE
         */
        static Opened of(Call call, byte[] record) {
            if (!isHyperLogLog(call, record)) {
                return null;
            }
            Record decoded = Record.decode(record);
            return new Opened(HyperLogLog.wrap(decoded.payload()), decoded.expireAtMillis(), decoded.raw());
        }

        /**
         * Stores the value back, keeping its TTL: a change counted {@code changes} times, or, with no
         * change, only the raw encoding when it was not raw yet.
         */
        void save(Call call, byte[] key, long changes) {
            if (changes > 0) {
                call.keyspace().put(call.db(), key, record(call));
                call.keyspace().addDirty(changes - 1);
            } else if (!wasRaw) {
                saveUncounted(call, key);
            }
        }

        /** Stores the value back without counting a change. */
        void saveUncounted(Call call, byte[] key) {
            call.keyspace().store().put(call.db(), key, record(call).encode());
        }

        private Record record(Call call) {
            return new Record(ValueType.STRING, true, AccessClock.at(call.now()), expireAt, hll.toByteArray());
        }
    }

    /** Replies an error and returns false unless the record is a string holding a HyperLogLog. */
    private static boolean isHyperLogLog(Call call, byte[] record) {
        if (StringKeys.wrongType(call, record)) {
            return false;
        }
        if (!HyperLogLog.isValid(record, StringKeys.valueOffset(record), StringKeys.valueLength(record))) {
            call.reply().error(Errors.HLL_NOT_A_HYPERLOGLOG);
            return false;
        }
        return true;
    }

    private static long sparseMaxBytes(Call call) {
        return call.engine().config().getLong("hll-sparse-max-bytes");
    }

    // ---- PFADD ------------------------------------------------------------------------------------

    private void pfadd(Call call) {
        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookup(call.db(), key, call.now());
        Opened target;
        long changes = 0;
        if (record == null) {
            target = Opened.created();
            changes++;
        } else {
            target = Opened.of(call, record);
            if (target == null) {
                return;
            }
        }
        long sparseMaxBytes = sparseMaxBytes(call);
        for (int j = 2; j < call.argc(); j++) {
            try {
                if (target.hll.add(call.arg(j), sparseMaxBytes)) {
                    changes++;
                }
            } catch (HyperLogLog.CorruptedException e) {
                // Only an existing value can be corrupted, so every change so far is a raised register.
                if (changes > 0) {
                    target.saveUncounted(call, key);
                    call.effect(call.argv());
                } else {
                    target.save(call, key, 0);
                }
                call.reply().error(Errors.HLL_CORRUPTED);
                return;
            }
        }
        if (changes > 0) {
            target.hll.invalidateCache();
        }
        target.save(call, key, changes);
        call.reply().integer(changes > 0 ? 1 : 0);
    }

    // ---- PFCOUNT ----------------------------------------------------------------------------------

    private void pfcount(Call call) {
        if (call.argc() > 2) {
            pfcountUnion(call);
            return;
        }
        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookupRead(call.db(), key, call.now());
        if (record == null) {
            call.reply().integer(0);
            return;
        }
        Opened target = Opened.of(call, record);
        if (target == null) {
            return;
        }
        HyperLogLog hll = target.hll;
        if (hll.cacheValid()) {
            target.save(call, key, 0);
            call.reply().integer(hll.cachedCardinality());
            return;
        }
        long cardinality;
        try {
            cardinality = hll.estimate();
        } catch (HyperLogLog.CorruptedException e) {
            target.save(call, key, 0);
            call.reply().error(Errors.HLL_CORRUPTED);
            return;
        }
        hll.cacheCardinality(cardinality);
        target.save(call, key, 1);
        call.effect(call.argv()); // PFCOUNT is read-only, yet its cache write is a change Redis propagates
        call.reply().integer(cardinality);
    }

    /** PFCOUNT of several keys: the cardinality of their union, computed aside; no key changes. */
    private void pfcountUnion(Call call) {
        byte[] registers = new byte[HyperLogLog.REGISTERS];
        for (int j = 1; j < call.argc(); j++) {
            byte[] record = call.keyspace().lookupRead(call.db(), call.arg(j), call.now());
            if (record == null) {
                continue; // an absent key counts as empty
            }
            if (!isHyperLogLog(call, record) || !maxInto(call, HyperLogLog.wrap(StringKeys.value(record)), registers)) {
                return;
            }
        }
        call.reply().integer(HyperLogLog.estimateRegisters(registers));
    }

    /**
     * Raises {@code registers} to a source's registers.
     *
     * @return false after replying that the source is corrupted
     */
    private static boolean maxInto(Call call, HyperLogLog source, byte[] registers) {
        try {
            source.maxInto(registers);
            return true;
        } catch (HyperLogLog.CorruptedException e) {
            call.reply().error(Errors.HLL_CORRUPTED);
            return false;
        }
    }

    // ---- PFMERGE ----------------------------------------------------------------------------------

    private void pfmerge(Call call) {
        byte[] registers = new byte[HyperLogLog.REGISTERS];
        boolean anyDense = false;
        // The destination is a source too (Redis starts at argv[1]).
        for (int j = 1; j < call.argc(); j++) {
            byte[] record = call.keyspace().lookupRead(call.db(), call.arg(j), call.now());
            if (record == null) {
                continue; // an absent key counts as empty
            }
            if (!isHyperLogLog(call, record)) {
                return;
            }
            HyperLogLog source = HyperLogLog.wrap(StringKeys.value(record));
            anyDense |= !source.isSparse();
            if (!maxInto(call, source, registers)) {
                return;
            }
        }
        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookup(call.db(), key, call.now());
        // An existing destination passed the checks above as the first source.
        Opened target = record == null ? Opened.created() : Opened.of(call, record);
        HyperLogLog hll = target.hll;
        if (anyDense) {
            hll.toDense(); // a dense source makes a dense result at once, sparing the conversions
        }
        long sparseMaxBytes = sparseMaxBytes(call);
        for (int i = 0; i < HyperLogLog.REGISTERS; i++) {
            if (registers[i] != 0) {
                hll.raiseRegister(i, registers[i], sparseMaxBytes);
            }
        }
        hll.invalidateCache();
        target.save(call, key, 1);
        call.reply().simple("OK");
    }

    // ---- PFDEBUG ----------------------------------------------------------------------------------

    private void pfdebug(Call call) {
        byte[] key = call.arg(2);
        byte[] record = call.keyspace().lookup(call.db(), key, call.now());
        if (record == null) {
            call.reply().error(Errors.HLL_NO_SUCH_KEY);
            return;
        }
        Opened target = Opened.of(call, record);
        if (target == null) {
            return;
        }
        HyperLogLog hll = target.hll;
        String subcommand = call.argString(1);
        int nul = subcommand.indexOf('\0');
        // Redis compares the C string: the name ends at a NUL byte
        switch ((nul < 0 ? subcommand : subcommand.substring(0, nul)).toLowerCase(Locale.ROOT)) {
            case "getreg" -> {
                if (!toDense(call, key, target)) {
                    return;
                }
                call.reply().array(HyperLogLog.REGISTERS);
                for (int i = 0; i < HyperLogLog.REGISTERS; i++) {
                    call.reply().integer(hll.register(i));
                }
            }
            case "decode" -> {
                target.save(call, key, 0);
                if (!hll.isSparse()) {
                    call.reply().error(Errors.HLL_NOT_SPARSE);
                    return;
                }
                call.reply().bulk(hll.describeOpcodes());
            }
            case "encoding" -> {
                target.save(call, key, 0);
                call.reply().simple(hll.isSparse() ? "sparse" : "dense");
            }
            case "todense" -> {
                boolean converted = hll.isSparse();
                if (toDense(call, key, target)) {
                    call.reply().integer(converted ? 1 : 0);
                }
            }
            default -> {
                target.save(call, key, 0);
                call.reply().error(Errors.pfdebugSubcommand(subcommand));
            }
        }
    }

    /**
     * PFDEBUG's conversion to dense, a change (Redis counts it to propagate it) when the value was
     * sparse.
     *
     * @return false after replying that the value is corrupted
     */
    private static boolean toDense(Call call, byte[] key, Opened target) {
        try {
            target.save(call, key, target.hll.toDense() ? 1 : 0);
            return true;
        } catch (HyperLogLog.CorruptedException e) {
            target.save(call, key, 0);
            call.reply().error(Errors.HLL_CORRUPTED);
            return false;
        }
    }

    // ---- PFSELFTEST -------------------------------------------------------------------------------

    /**
     * Redis's self-test: random register values must read back unchanged, and 10,000,000 distinct
     * elements added to a dense and a sparse HyperLogLog must give equal estimates within six standard
     * errors at every power of ten (a sparse one while small).
     */
    private void pfselftest(Call call) {
        String failure = checkRegisters();
        if (failure == null) {
            failure = checkEstimates(sparseMaxBytes(call));
        }
        if (failure == null) {
            call.reply().simple("OK");
        } else {
            call.reply().error(failure);
        }
    }

    private String checkRegisters() {
        HyperLogLog dense = HyperLogLog.emptyDense();
        int[] expected = new int[HyperLogLog.REGISTERS];
        for (int round = 0; round < SELFTEST_REGISTER_ROUNDS; round++) {
            for (int i = 0; i < HyperLogLog.REGISTERS; i++) {
                expected[i] = random.nextInt(HyperLogLog.REGISTER_MAX + 1);
                dense.setRegister(i, expected[i]);
            }
            for (int i = 0; i < HyperLogLog.REGISTERS; i++) {
                int actual = dense.register(i);
                if (actual != expected[i]) {
                    return Errors.hllSelftestRegister(i, expected[i], actual);
                }
            }
        }
        return null;
    }

    private String checkEstimates(long sparseMaxBytes) {
        HyperLogLog dense = HyperLogLog.emptyDense();
        HyperLogLog sparse = HyperLogLog.empty();
        double relativeError = 1.04 / Math.sqrt(HyperLogLog.REGISTERS);
        long checkpoint = 1;
        long seed = random.nextLong();
        ByteBuffer element = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (long j = 1; j <= SELFTEST_ELEMENTS; j++) {
            element.putLong(0, j ^ seed);
            dense.add(element.array(), sparseMaxBytes);
            sparse.add(element.array(), sparseMaxBytes);
            if (j != checkpoint) {
                continue;
            }
            if (j < sparseMaxBytes / 2 && !sparse.isSparse()) {
                return Errors.HLL_SELFTEST_NOT_SPARSE;
            }
            long estimate = dense.estimate();
            if (estimate != sparse.estimate()) {
                return Errors.HLL_SELFTEST_DISAGREE;
            }
            long error = Math.abs(checkpoint - estimate);
            long maxError = j == 10 ? 1 : (long) Math.ceil(relativeError * 6 * checkpoint);
            if (error > maxError) {
                return Errors.hllSelftestError(checkpoint, error);
            }
            checkpoint *= 10;
        }
        return null;
    }
}
