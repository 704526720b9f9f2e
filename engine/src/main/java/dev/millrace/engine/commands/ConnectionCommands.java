package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.transaction.Transaction;
import dev.millrace.engine.util.Numbers;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The connection family: PING, ECHO, SELECT, AUTH, HELLO, QUIT, RESET. Authentication knows one user,
 * "default", whose password is {@code requirepass} (no password: any password is accepted, as for
 * Redis's nopass default user). Execution thread only.
 */
public final class ConnectionCommands implements CommandFamily {
    private static final String DEFAULT_USER = "default";

    private final Engine engine;

    public ConnectionCommands(Engine engine) {
        this.engine = engine;
    }

    @Override
    public void register(Bindings bind) {
        bind.bind("ping", this::ping);
        bind.bind("echo", this::echo);
        bind.bind("select", this::select);
        bind.bind("auth", this::auth);
        bind.bind("hello", this::hello);
        bind.bind("quit", this::quit);
        bind.bind("reset", this::reset);
    }

    /**
     * PING [message]: the table's arity (-1) admits more, but PING itself refuses a second argument. A
     * RESP2 client in pub/sub mode gets a frame shaped like its messages: ["pong", message or ""].
     */
    private void ping(Call call) {
        if (call.argc() > 2) {
            call.wrongArity();
        } else if (call.session().subscribed() && call.session().protocol() == 2) {
            call.reply().array(2);
            call.reply().bulk("pong");
            call.reply().bulk(call.argc() == 2 ? call.arg(1) : new byte[0]);
        } else if (call.argc() == 1) {
            call.reply().simple("PONG");
        } else {
            call.reply().bulk(call.arg(1));
        }
    }

    private void echo(Call call) {
        call.reply().bulk(call.arg(1));
    }

    private void select(Call call) {
        Integer id = call.dbIndexArg(1);
        if (id == null) {
            return;
        }
        call.session().selectDb(id);
        call.reply().simple("OK");
    }

    private void auth(Call call) {
        if (call.argc() > 3) {
            call.syntaxError();
            return;
        }
        String user;
        byte[] password;
        if (call.argc() == 2) {
            if (engine.config().get("requirepass").isEmpty()) {
                call.reply().error(Errors.AUTH_NOT_CONFIGURED);
                return;
            }
            user = DEFAULT_USER;
            password = call.arg(1);
        } else {
            user = call.argString(1);
            password = call.arg(2);
        }
        if (authenticate(call.session(), user, password)) {
            call.reply().simple("OK");
        } else {
            call.reply().error(Errors.WRONGPASS);
        }
    }

    /** Checks a user and password and marks the session authenticated when they match; a failure changes nothing. */
    private boolean authenticate(Session session, String user, byte[] password) {
        if (!user.equals(DEFAULT_USER)) {
            return false;
        }
        String required = engine.config().get("requirepass");
        // Constant-time comparison, so the time taken does not tell how much of the password matched.
        if (!required.isEmpty() && !MessageDigest.isEqual(required.getBytes(StandardCharsets.ISO_8859_1), password)) {
            return false;
        }
        session.setAuthenticated(true);
        return true;
    }

    /** HELLO [protover [AUTH user pass] [SETNAME name]]: options are checked before anything changes. */
    private void hello(Call call) {
        int protocol = 0;
        int next = 1;
        if (call.argc() >= 2) {
            Long version = Numbers.parseLong(call.arg(next++));
            if (version == null) {
                call.reply().error(Errors.HELLO_PROTOVER);
                return;
            }
            if (version < 2 || version > 3) {
                call.reply().error(Errors.PROTO_UNSUPPORTED);
                return;
            }
            protocol = (int) (long) version;
        }
        String user = null;
        byte[] password = null;
        String name = null;
        for (int j = next; j < call.argc(); j++) {
            int more = call.argc() - 1 - j;
            if (call.argIs(j, "AUTH") && more >= 2) {
                user = call.argString(j + 1);
                password = call.arg(j + 2);
                j += 2;
            } else if (call.argIs(j, "SETNAME") && more >= 1) {
                name = call.argString(j + 1);
                if (!ClientCommands.isValidName(name)) {
                    call.reply().error(Errors.CLIENT_NAME_CHARS);
                    return;
                }
                j++;
            } else {
                call.reply().error(Errors.helloOption(call.argString(j)));
                return;
            }
        }
        Session session = call.session();
        if (user != null && !authenticate(session, user, password)) {
            call.reply().error(Errors.WRONGPASS);
            return;
        }
        if (!session.authenticated()) {
            call.reply().error(Errors.HELLO_NOAUTH);
            return;
        }
        if (name != null) {
            session.setName(name);
        }
        if (protocol != 0) {
            // Before replying: the reply itself is in the new protocol.
            session.setProtocol(protocol);
        }
        ReplyWriter out = call.reply();
        out.map(7);
        out.bulk("server");
        out.bulk("redis");
        out.bulk("version");
        out.bulk(Engine.REDIS_VERSION);
        out.bulk("proto");
        out.integer(session.protocol());
        out.bulk("id");
        out.integer(session.id());
        out.bulk("mode");
        out.bulk("standalone");
        out.bulk("role");
        out.bulk("master");
        out.bulk("modules");
        out.array(0);
    }

    private void quit(Call call) {
        call.reply().simple("OK");
        call.session().close();
    }

    /**
     * RESET: the connection as it was when it opened: its transaction, watches, tracking and
     * subscriptions dropped (the subscriptions without confirmations); Redis 7.2 also clears NO-EVICT
     * and NO-TOUCH.
     */
    private void reset(Call call) {
        Session session = call.session();
        engine.pubsub().forget(session);
        session.selectDb(0);
        session.setProtocol(2);
        session.setName("");
        session.setReplyMode(Session.ReplyMode.ON);
        session.setNoEvict(false);
        session.setNoTouch(false);
        session.setAuthenticated(engine.config().get("requirepass").isEmpty());
        Transaction.end(session, engine.watchedKeys());
        engine.tracking().disable(session);
        call.reply().simple("RESET");
    }
}
