package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.keyspace.Keyspace;
import dev.millrace.engine.persistence.Snapshots;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.util.Numbers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * Server commands: DBSIZE, TIME, FLUSHDB, FLUSHALL, SWAPDB, SHUTDOWN, LASTSAVE, SAVE, BGSAVE and
 * BGREWRITEAOF. Persistence goes through the {@link Snapshots} port: a snapshot is Millrace's RDB,
 * and since a snapshot lets the effect log below it be deleted, it is also how the AOF is rewritten.
 * Execution thread only.
 */
public final class ServerCommands implements CommandFamily {
    private static final Logger log = LoggerFactory.getLogger(ServerCommands.class);
    private static final byte[] FLUSHDB = "FLUSHDB".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FLUSHALL = "FLUSHALL".getBytes(StandardCharsets.US_ASCII);

    private final Engine engine;

    public ServerCommands(Engine engine) {
        this.engine = engine;
    }

    @Override
    public void register(Bindings bind) {
        bind.bind("dbsize", call -> call.reply().integer(call.keyspace().size(call.db())));
        bind.bind("time", this::time);
        bind.bind("flushdb", this::flushdb);
        bind.bind("flushall", this::flushall);
        bind.bind("swapdb", this::swapdb);
        bind.bind("shutdown", this::shutdown);
        bind.bind("lastsave", call -> call.reply().integer(engine.snapshots().lastSaveUnixSeconds()));
        bind.bind("save", this::save);
        bind.bind("bgsave", this::bgsave);
        bind.bind("bgrewriteaof", this::bgrewriteaof);
    }

    private void time(Call call) {
        long micros = engine.clock().currentTimeMicros();
        call.reply().array(2);
        call.reply().bulk(Long.toString(micros / 1_000_000));
        call.reply().bulk(Long.toString(micros % 1_000_000));
    }

    /** [ASYNC|SYNC]: both flush at once here (the store drops a database in O(1) or close to it). */
    private static boolean flushModeOk(Call call) {
        if (call.argc() > 2 || (call.argc() == 2 && !call.argIs(1, "ASYNC") && !call.argIs(1, "SYNC"))) {
            call.syntaxError();
            return false;
        }
        return true;
    }

    /** Logged even when the database was already empty, as Redis propagates it unconditionally. */
    private void flushdb(Call call) {
        if (!flushModeOk(call)) {
            return;
        }
        call.keyspace().flush(call.db());
        call.effect(FLUSHDB);
        call.reply().simple("OK");
    }

    /** As Redis: with save rules configured, an (empty) snapshot follows, and the change counter restarts. */
    private void flushall(Call call) {
        if (!flushModeOk(call)) {
            return;
        }
        Keyspace keyspace = call.keyspace();
        for (int db = 0; db < keyspace.databases(); db++) {
            keyspace.flush(db);
        }
        if (!keyspace.loading() && !engine.config().saveRules().isEmpty() && trySave()) {
            keyspace.resetDirty();
        }
        keyspace.addDirty(1);
        call.effect(FLUSHALL);
        call.reply().simple("OK");
    }

    private void swapdb(Call call) {
        Long first = Numbers.parseLong(call.arg(1));
        if (first == null || first != (int) (long) first) {
            call.reply().error(Errors.INVALID_FIRST_DB_INDEX);
            return;
        }
        Long second = Numbers.parseLong(call.arg(2));
        if (second == null || second != (int) (long) second) {
            call.reply().error(Errors.INVALID_SECOND_DB_INDEX);
            return;
        }
        int databases = call.keyspace().databases();
        if (first < 0 || first >= databases || second < 0 || second >= databases) {
            call.reply().error(Errors.DB_INDEX_OUT_OF_RANGE);
            return;
        }
        call.keyspace().swap((int) (long) first, (int) (long) second);
        call.reply().simple("OK");
    }

    /**
     * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. Saves a snapshot when asked to, or when save rules
     * are configured and NOSAVE is not given; a failed save stops the shutdown unless FORCE. NOW
     * changes nothing here: Millrace has no replicas to wait for, so no shutdown is ever in progress.
     * A successful shutdown sends no reply: the connection just closes.
     */
    private void shutdown(Call call) {
        boolean noSave = false;
        boolean save = false;
        boolean force = false;
        boolean abort = false;
        boolean now = false;
        for (int i = 1; i < call.argc(); i++) {
            if (call.argIs(i, "NOSAVE")) {
                noSave = true;
            } else if (call.argIs(i, "SAVE")) {
                save = true;
            } else if (call.argIs(i, "NOW")) {
                now = true;
            } else if (call.argIs(i, "FORCE")) {
                force = true;
            } else if (call.argIs(i, "ABORT")) {
                abort = true;
            } else {
                call.syntaxError();
                return;
            }
        }
        if ((abort && (noSave || save || now || force)) || (noSave && save)) {
            call.syntaxError();
            return;
        }
        if (abort) {
            call.reply().error(Errors.NO_SHUTDOWN_IN_PROGRESS);
            return;
        }
        if (engine.scripting().running()) {
            // Served while a script is busy (SHUTDOWN is noscript): as Redis, only NOSAVE stops then.
            if (!noSave) {
                call.reply().error(engine.scripting().busyError());
                return;
            }
            log.warn("User requested shutdown while a script runs: exiting without saving (the script's writes are not logged)");
            engine.exitNow();
            return;
        }
        boolean wantSave = save || (!noSave && !engine.config().saveRules().isEmpty());
        if (wantSave && !trySave() && !force) {
            call.reply().error(Errors.SHUTDOWN_FAILED);
            return;
        }
        engine.shutdown();
    }

    private void save(Call call) {
        if (engine.snapshots().backgroundSaveInProgress()) {
            call.reply().error(Errors.BACKGROUND_SAVE_IN_PROGRESS);
            return;
        }
        if (trySave()) {
            call.keyspace().resetDirty();
            call.reply().simple("OK");
        } else {
            call.reply().error(Errors.SAVE_FAILED);
        }
    }

    private boolean trySave() {
        try {
            engine.save();
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * BGSAVE [SCHEDULE]. There is no other background job a snapshot would wait for, so SCHEDULE
     * starts it at once. The change counter restarts when the snapshot starts (the port does not
     * report completion).
     */
    private void bgsave(Call call) {
        if (call.argc() > 1 && !(call.argc() == 2 && call.argIs(1, "SCHEDULE"))) {
            call.syntaxError();
            return;
        }
        if (engine.snapshots().backgroundSaveInProgress() || !engine.snapshots().startBackgroundSave()) {
            call.reply().error(Errors.BACKGROUND_SAVE_IN_PROGRESS);
            return;
        }
        call.keyspace().resetDirty();
        call.reply().simple("Background saving started");
    }

    /** A background snapshot, after which storage deletes the effect log it covers: the AOF rewrite. */
    private void bgrewriteaof(Call call) {
        if (engine.snapshots().backgroundSaveInProgress()) {
            call.reply().error(Errors.AOF_REWRITE_IN_PROGRESS);
            return;
        }
        if (!engine.snapshots().startBackgroundSave()) {
            call.reply().error(Errors.AOF_REWRITE_FAILED);
            return;
        }
        call.reply().simple("Background append only file rewriting started");
    }
}
