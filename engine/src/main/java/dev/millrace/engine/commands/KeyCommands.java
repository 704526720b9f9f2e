package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.keyspace.AccessClock;
import dev.millrace.engine.keyspace.KeyStore;
import dev.millrace.engine.keyspace.Keyspace;
import dev.millrace.engine.keyspace.ObjectPages;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.stream.Stream;

import java.util.Arrays;

/**
 * The generic key commands: DEL, UNLINK, EXISTS, TYPE, TOUCH, RENAME, RENAMENX, COPY, MOVE; and, through
 * the families it registers with it, expiry ({@link ExpireCommands}), keyspace iteration
 * ({@link KeyScanCommands}) and OBJECT ({@link ObjectCommands}).
 *
 * <p>A key's TTL lives in its record, so RENAME, COPY and MOVE carry it with the key. Their own argv is
 * a deterministic effect (the destination database is an argument), so they log it unchanged.
 * Execution thread only.
 */
public final class KeyCommands implements CommandFamily {
    /** @param engine not needed: key commands reach everything through their {@link Call} */
    public KeyCommands(Engine engine) {
    }

    @Override
    public void register(Bindings bind) {
        bind.bind("del", this::del);
        bind.bind("unlink", this::del);
        bind.bind("exists", this::exists);
        bind.bind("type", this::type);
        bind.bind("touch", this::touch);
        bind.bind("rename", call -> rename(call, false));
        bind.bind("renamenx", call -> rename(call, true));
        bind.bind("copy", this::copy);
        bind.bind("move", this::move);
        new ExpireCommands().register(bind);
        new KeyScanCommands().register(bind);
        new ObjectCommands().register(bind);
    }

    /** DEL and UNLINK: UNLINK frees memory in the background in Redis; here both delete at once. */
    private void del(Call call) {
        long deleted = 0;
        for (int i = 1; i < call.argc(); i++) {
            if (call.keyspace().delete(call.db(), call.arg(i), call.now())) {
                deleted++;
            }
        }
        call.reply().integer(deleted);
    }

    /** Counts a key as often as it is named, as Redis does. */
    private void exists(Call call) {
        long found = 0;
        for (int i = 1; i < call.argc(); i++) {
            if (call.keyspace().lookupReadNoTouch(call.db(), call.arg(i), call.now()) != null) {
                found++;
            }
        }
        call.reply().integer(found);
    }

    private void type(Call call) {
        byte[] record = call.keyspace().lookupReadNoTouch(call.db(), call.arg(1), call.now());
        call.reply().simple(record == null ? "none" : Record.typeOf(record).typeName);
    }

    private void touch(Call call) {
        long touched = 0;
        for (int i = 1; i < call.argc(); i++) {
            if (call.keyspace().lookupRead(call.db(), call.arg(i), call.now()) != null) {
                touched++;
            }
        }
        call.reply().integer(touched);
    }

    private void rename(Call call, boolean onlyIfAbsent) {
        byte[] source = call.arg(1);
        byte[] target = call.arg(2);
        int db = call.db();
        byte[] record = call.keyspace().lookup(db, source, call.now());
        if (record == null) {
            call.reply().error(Errors.NO_SUCH_KEY);
            return;
        }
        if (Arrays.equals(source, target)) {
            replyRenamed(call, onlyIfAbsent, false);
            return;
        }
        Keyspace keyspace = call.keyspace();
        if (call.keyspace().lookup(db, target, call.now()) != null) {
            if (onlyIfAbsent) {
                replyRenamed(call, true, false);
                return;
            }
        }
        keyspace.rename(db, source, db, target);
        replyRenamed(call, onlyIfAbsent, true);
    }

    private static void replyRenamed(Call call, boolean onlyIfAbsent, boolean renamed) {
        if (onlyIfAbsent) {
            call.reply().integer(renamed ? 1 : 0);
        } else {
            call.reply().simple("OK");
        }
    }

    /** COPY source destination [DB index] [REPLACE]. */
    private void copy(Call call) {
        int sourceDb = call.db();
        int targetDb = sourceDb;
        boolean replace = false;
        for (int i = 3; i < call.argc(); i++) {
            boolean hasValue = i + 1 < call.argc();
            if (call.argIs(i, "replace")) {
                replace = true;
            } else if (call.argIs(i, "db") && hasValue) {
                Integer db = call.dbIndexArg(++i);
                if (db == null) {
                    return;
                }
                targetDb = db;
            } else {
                call.syntaxError();
                return;
            }
        }
        byte[] source = call.arg(1);
        byte[] target = call.arg(2);
        if (sourceDb == targetDb && Arrays.equals(source, target)) {
            call.reply().error(Errors.SAME_OBJECT);
            return;
        }
        byte[] record = call.keyspace().lookupRead(call.db(), source, call.now());
        if (record == null) {
            call.reply().integer(0);
            return;
        }
        if (call.keyspace().lookup(targetDb, target, call.now()) != null) {
            if (!replace) {
                call.reply().integer(0);
                return;
            }
            call.keyspace().delete(targetDb, target, call.now());
        }
        // A copy is a new object: its access clock starts now; its TTL is the source's.
        byte[] copied = record.clone();
        Record.setAccessClock(copied, AccessClock.at(call.now()));
        if (Record.isPaged(copied)) {
            Record decoded = Record.decode(copied);
            KeyStore store = call.keyspace().store();
            ObjectPages pages = ObjectPages.decode(store, decoded.payload(), 0).copy();
            if (decoded.type() == ValueType.STREAM) {
                // A stream's entries in its log are not on its pages: O(n), as Redis's COPY of a stream.
                Stream stream = Stream.decode(store, decoded.payload(), call.keyspace().loading());
                if (!stream.entriesInline()) {
                    stream.copyEntriesTo(store.streamLogs().open(pages.objectId()));
                }
            }
            pages.encode(decoded.payload(), 0);
            call.keyspace().putOwner(targetDb, target, decoded, pages);
        } else {
            call.keyspace().putEncoded(targetDb, target, copied);
        }
        call.reply().integer(1);
    }

    /** MOVE key db: moves the key with its TTL; fails (0) when the key is absent or the target has it. */
    private void move(Call call) {
        Integer targetDb = call.dbIndexArg(2);
        if (targetDb == null) {
            return;
        }
        int sourceDb = call.db();
        if (targetDb == sourceDb) {
            call.reply().error(Errors.SAME_OBJECT);
            return;
        }
        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookup(sourceDb, key, call.now());
        if (record == null || call.keyspace().lookup(targetDb, key, call.now()) != null) {
            call.reply().integer(0);
            return;
        }
        call.keyspace().rename(sourceDb, key, targetDb, key);
        call.reply().integer(1);
    }
}
