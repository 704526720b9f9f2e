package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.transaction.Transaction;
import dev.millrace.engine.transaction.WatchedKeys;

/**
 * The transaction family: MULTI, EXEC, DISCARD, WATCH, UNWATCH, with Redis 7.0.15's semantics. Between
 * MULTI and EXEC the dispatcher queues each command that passes its gates (replying QUEUED) and aborts
 * the transaction when one does not; EXEC then runs the queued commands one after the other through the
 * dispatcher, nested, so nothing else runs in between, blocking commands answer as on timeout, blocked
 * clients are served only once EXEC is done, and all their effects join one log record. A command that
 * fails at run time does not undo the others: its error is one element of EXEC's reply.
 * Execution thread only.
 */
public final class TransactionCommands implements CommandFamily {
    private final Engine engine;
    private final WatchedKeys watches;

    public TransactionCommands(Engine engine) {
        this.engine = engine;
        this.watches = engine.watchedKeys();
    }

    @Override
    public void register(Bindings bind) {
        bind.bind("multi", this::multi);
        bind.bind("exec", this::exec);
        bind.bind("discard", this::discard);
        bind.bind("watch", this::watch);
        bind.bind("unwatch", this::unwatch);
    }

    private void multi(Call call) {
        if (call.session().transaction() != null) {
            call.reply().error(Errors.MULTI_NESTED);
            return;
        }
        call.session().setTransaction(new Transaction());
        call.reply().simple("OK");
    }

    /**
     * EXEC: EXECABORT when a command was refused while queueing, a null array when a watched key changed
     * or expired, else the array of the queued commands' replies. The watches go in every case.
     */
    private void exec(Call call) {
        Session session = call.session();
        Transaction transaction = session.transaction();
        if (transaction == null) {
            call.reply().error(Errors.EXEC_WITHOUT_MULTI);
            return;
        }
        boolean watchBroken = watches.broken(session, call.now());
        ReplyWriter reply = call.reply();
        if (transaction.aborted() || watchBroken) {
            Transaction.end(session, watches);
            if (transaction.aborted()) {
                reply.error(Errors.EXECABORT);
            } else {
                reply.nullArray();
            }
            return;
        }
        watches.unwatchAll(session); // before running: the transaction's own writes need not be checked
        transaction.startRunning();
        reply.array(transaction.size());
        try {
            for (byte[][] argv : transaction.commands()) {
                engine.dispatcher().execute(session, argv, reply);
            }
        } finally {
            Transaction.end(session, watches); // also when a command fails inside the server
        }
    }

    private void discard(Call call) {
        if (call.session().transaction() == null) {
            call.reply().error(Errors.DISCARD_WITHOUT_MULTI);
            return;
        }
        Transaction.end(call.session(), watches);
        call.reply().simple("OK");
    }

    private void watch(Call call) {
        if (call.session().transaction() != null) {
            call.reply().error(Errors.WATCH_INSIDE_MULTI);
            return;
        }
        for (int i = 1; i < call.argc(); i++) {
            watches.watch(call.session(), call.db(), call.arg(i), call.now());
        }
        call.reply().simple("OK");
    }

    private void unwatch(Call call) {
        watches.unwatchAll(call.session());
        call.reply().simple("OK");
    }
}
