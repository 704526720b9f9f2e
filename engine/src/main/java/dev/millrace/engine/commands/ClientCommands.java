package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.command.Call;
import dev.millrace.engine.tracking.TrackingClient;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.util.Numbers;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * CLIENT and its subcommands. Every Millrace client is a "normal" client of user "default" (no
 * replication, no ACL users yet). CLIENT SETINFO and NO-TOUCH follow Redis 7.2, and CLIENT LIST
 * shows lib-name and lib-ver as 7.2 does. Execution thread only.
 */
public final class ClientCommands implements CommandFamily {
    private final Engine engine;

    public ClientCommands(Engine engine) {
        this.engine = engine;
    }

    @Override
    public void register(Bindings bind) {
        bind.bind("client|id", call -> call.reply().integer(call.session().id()));
        bind.bind("client|setname", this::setName);
        bind.bind("client|getname", this::getName);
        bind.bind("client|list", this::list);
        bind.bind("client|info", call -> call.reply().verbatim("txt", describe(call.session(), call.now()) + "\n"));
        bind.bind("client|kill", this::kill);
        bind.bind("client|setinfo", this::setInfo);
        bind.bind("client|no-evict", call -> onOff(call, call.session()::setNoEvict));
        bind.bind("client|no-touch", call -> onOff(call, call.session()::setNoTouch));
        bind.bind("client|reply", this::reply);
        bind.bind("client|unblock", this::unblock);
        bind.bind("client|help", this::help);
    }

    /** Redis accepts names and library attributes made of printable ASCII without spaces ('!' to '~'). */
    static boolean isValidName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '!' || c > '~') {
                return false;
            }
        }
        return true;
    }

    private void setName(Call call) {
        String name = call.argString(2);
        if (!isValidName(name)) {
            call.reply().error(Errors.CLIENT_NAME_CHARS);
            return;
        }
        call.session().setName(name);
        call.reply().simple("OK");
    }

    private void getName(Call call) {
        String name = call.session().name();
        if (name.isEmpty()) {
            call.reply().nullBulk();
        } else {
            call.reply().bulk(name);
        }
    }

    /** CLIENT LIST [TYPE type] | [ID id ...]: IDs are listed in argument order, unknown ones skipped. */
    private void list(Call call) {
        StringBuilder out = new StringBuilder();
        if (call.argc() == 4 && call.argIs(2, "TYPE")) {
            String type = call.argString(3);
            if (!isClientType(type)) {
                call.reply().error(Errors.unknownClientType(type));
                return;
            }
            engine.clients().all().stream().filter(s -> isOfType(s, type))
                    .forEach(s -> out.append(describe(s, call.now())).append('\n'));
        } else if (call.argc() > 3 && call.argIs(2, "ID")) {
            List<Session> sessions = new ArrayList<>();
            for (int j = 3; j < call.argc(); j++) {
                Long id = Numbers.parseLong(call.arg(j));
                if (id == null) {
                    call.reply().error(Errors.INVALID_CLIENT_ID);
                    return;
                }
                Session s = engine.clients().byId(id);
                if (s != null) {
                    sessions.add(s);
                }
            }
            sessions.forEach(s -> out.append(describe(s, call.now())).append('\n'));
        } else if (call.argc() != 2) {
            call.syntaxError();
            return;
        } else {
            engine.clients().all().forEach(s -> out.append(describe(s, call.now())).append('\n'));
        }
        call.reply().verbatim("txt", out.toString());
    }

    private static boolean isClientType(String type) {
        String t = type.toLowerCase(Locale.ROOT);
        return t.equals("normal") || t.equals("slave") || t.equals("replica") || t.equals("pubsub") || t.equals("master");
    }

    /** A client is of type pubsub while subscribed, else normal: Millrace has no replicas or master link. */
    private static boolean isOfType(Session s, String type) {
        return type.equalsIgnoreCase(s.subscribed() ? "pubsub" : "normal");
    }

    /**
     * One CLIENT LIST line, with Redis 7.0's fields in its order (plus 7.2's lib-name and lib-ver).
     * Buffer and memory sizes belong to the network layer, which the engine does not see: they read 0.
     */
    private String describe(Session s, long nowMillis) {
        StringBuilder flags = new StringBuilder();
        if (s.subscribed()) {
            flags.append('P');
        }
        if (s.transaction() != null) {
            flags.append('x');
        }
        if (s.blocked()) {
            flags.append('b');
        }
        TrackingClient tracking = engine.tracking().of(s);
        if (tracking != null) {
            flags.append('t');
            if (tracking.brokenRedirect()) {
                flags.append('R');
            }
            if (tracking.bcast()) {
                flags.append('B');
            }
        }
        if (engine.watchedKeys().touched(s)) {
            flags.append('d');
        }
        if (s.closing()) {
            flags.append('c');
        }
        if (s.noEvict()) {
            flags.append('e');
        }
        if (s.noTouch()) {
            flags.append('T');
        }
        if (flags.length() == 0) {
            flags.append('N');
        }
        return "id=" + s.id()
                + " addr=" + s.connection().remoteAddress()
                + " laddr=" + s.connection().localAddress()
                + " fd=" + s.connection().fd()
                + " name=" + s.name()
                + " age=" + (nowMillis - s.createdAtMillis()) / 1000
                + " idle=" + (nowMillis - s.lastCommandAtMillis()) / 1000
                + " flags=" + flags
                + " db=" + s.db()
                + " sub=" + s.subscribedChannels()
                + " psub=" + s.subscribedPatterns()
                + " ssub=" + s.subscribedShardChannels()
                + " multi=" + (s.transaction() == null ? -1 : s.transaction().size())
                + " qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0"
                + " obl=0 oll=0 omem=0 tot-mem=0 events=r"
                + " cmd=" + s.lastCommand()
                + " user=default redir=" + (tracking == null ? -1 : tracking.redirect())
                + " resp=" + s.protocol()
                + " lib-name=" + s.libName()
                + " lib-ver=" + s.libVersion();
    }

    /**
     * CLIENT KILL addr (old form: OK or an error) or CLIENT KILL filter value ... (new form: the number
     * killed; SKIPME defaults to yes). The caller itself is closed only after its reply.
     */
    private void kill(Call call) {
        String addr = null;
        String laddr = null;
        String type = null;
        long id = 0;
        boolean skipMe = true;
        if (call.argc() == 3) {
            addr = call.argString(2);
            skipMe = false;
        } else {
            for (int i = 2; i < call.argc(); i += 2) {
                boolean more = call.argc() > i + 1;
                if (call.argIs(i, "ID") && more) {
                    Long v = Numbers.parseLong(call.arg(i + 1));
                    if (v == null || v < 1) {
                        call.reply().error(Errors.CLIENT_ID_POSITIVE);
                        return;
                    }
                    id = v;
                } else if (call.argIs(i, "TYPE") && more) {
                    type = call.argString(i + 1);
                    if (!isClientType(type)) {
                        call.reply().error(Errors.unknownClientType(type));
                        return;
                    }
                } else if (call.argIs(i, "ADDR") && more) {
                    addr = call.argString(i + 1);
                } else if (call.argIs(i, "LADDR") && more) {
                    laddr = call.argString(i + 1);
                } else if (call.argIs(i, "USER") && more) {
                    String user = call.argString(i + 1);
                    if (!user.equals("default")) {
                        call.reply().error(Errors.noSuchUser(user));
                        return;
                    }
                } else if (call.argIs(i, "SKIPME") && more) {
                    if (call.argIs(i + 1, "YES")) {
                        skipMe = true;
                    } else if (call.argIs(i + 1, "NO")) {
                        skipMe = false;
                    } else {
                        call.syntaxError();
                        return;
                    }
                } else {
                    call.syntaxError();
                    return;
                }
            }
        }
        Session me = call.session();
        boolean closeMe = false;
        int killed = 0;
        for (Session s : new ArrayList<>(engine.clients().all())) {
            if ((addr != null && !s.connection().remoteAddress().equals(addr))
                    || (laddr != null && !s.connection().localAddress().equals(laddr))
                    || (type != null && !isOfType(s, type))
                    || (id != 0 && s.id() != id)
                    || (s == me && skipMe)) {
                continue;
            }
            if (s == me) {
                closeMe = true;
            } else {
                s.close();
                engine.disconnect(s);
            }
            killed++;
        }
        if (call.argc() == 3) {
            if (killed == 0) {
                call.reply().error(Errors.NO_SUCH_CLIENT);
            } else {
                call.reply().simple("OK");
            }
        } else {
            call.reply().integer(killed);
        }
        if (closeMe) {
            me.close();
        }
    }

    /**
     * CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends a blocked client's wait with its timeout reply (the
     * default) or the error UNBLOCKED; 1 if it was blocked, else 0. The reason is checked before the id,
     * as in Redis.
     */
    private void unblock(Call call) {
        if (call.argc() > 4) {
            call.reply().error(Errors.subcommandSyntax(call.argString(1), "client"));
            return;
        }
        boolean withError = false;
        if (call.argc() == 4) {
            if (call.argIs(3, "ERROR")) {
                withError = true;
            } else if (!call.argIs(3, "TIMEOUT")) {
                call.reply().error(Errors.UNBLOCK_REASON);
                return;
            }
        }
        Long id = Numbers.parseLong(call.arg(2));
        if (id == null) {
            call.reply().error(Errors.NOT_INTEGER);
            return;
        }
        call.reply().integer(engine.blocking().unblock(id, withError) ? 1 : 0);
    }

    /** CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2); an empty value clears the attribute. */
    private void setInfo(Call call) {
        String attr = call.argString(2);
        String value = call.argString(3);
        boolean name = call.argIs(2, "LIB-NAME");
        if (!name && !call.argIs(2, "LIB-VER")) {
            call.reply().error(Errors.clientSetinfoOption(attr));
            return;
        }
        if (!isValidName(value)) {
            call.reply().error(Errors.clientSetinfoChars(attr));
            return;
        }
        if (name) {
            call.session().setLibName(value);
        } else {
            call.session().setLibVersion(value);
        }
        call.reply().simple("OK");
    }

    private static void onOff(Call call, java.util.function.Consumer<Boolean> setter) {
        if (call.argIs(2, "ON")) {
            setter.accept(true);
        } else if (call.argIs(2, "OFF")) {
            setter.accept(false);
        } else {
            call.syntaxError();
            return;
        }
        call.reply().simple("OK");
    }

    /** CLIENT REPLY ON|OFF|SKIP: OFF and SKIP send no reply themselves; the dispatcher drops the rest. */
    private void reply(Call call) {
        Session session = call.session();
        if (call.argIs(2, "ON")) {
            session.setReplyMode(Session.ReplyMode.ON);
            call.reply().simple("OK");
        } else if (call.argIs(2, "OFF")) {
            session.setReplyMode(Session.ReplyMode.OFF);
        } else if (call.argIs(2, "SKIP")) {
            if (session.replyMode() != Session.ReplyMode.OFF) {
                session.setReplyMode(Session.ReplyMode.SKIP_NEXT);
            }
        } else {
            call.syntaxError();
        }
    }

    private void help(Call call) {
        HelpReply.reply(call,
                "CACHING (YES|NO)",
                "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
                "GETREDIR",
                "    Return the client ID we are redirecting to when tracking is enabled.",
                "GETNAME",
                "    Return the name of the current connection.",
                "ID",
                "    Return the ID of the current connection.",
                "INFO",
                "    Return information about the current client connection.",
                "KILL <ip:port>",
                "    Kill connection made from <ip:port>.",
                "KILL <option> <value> [<option> <value> [...]]",
                "    Kill connections. Options are:",
                "    * ADDR (<ip:port>|<unixsocket>:0)",
                "      Kill connections made from the specified address",
                "    * LADDR (<ip:port>|<unixsocket>:0)",
                "      Kill connections made to specified local address",
                "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                "      Kill connections by type.",
                "    * USER <username>",
                "      Kill connections authenticated by <username>.",
                "    * SKIPME (YES|NO)",
                "      Skip killing current connection (default: yes).",
                "LIST [options ...]",
                "    Return information about client connections. Options:",
                "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                "      Return clients of specified type.",
                "REPLY (ON|OFF|SKIP)",
                "    Control the replies sent to the current connection.",
                "SETNAME <name>",
                "    Assign the name <name> to the current connection.",
                "UNBLOCK <clientid> [TIMEOUT|ERROR]",
                "    Unblock the specified blocked client.",
                "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
                "         [OPTIN] [OPTOUT] [NOLOOP]",
                "    Control server assisted client side caching.",
                "TRACKINGINFO",
                "    Report tracking status for the current connection.",
                "SETINFO <option> <value>",
                "    Set client meta attr. Options are:",
                "    * LIB-NAME: the client lib name.",
                "    * LIB-VER: the client lib version.",
                "NO-EVICT (ON|OFF)",
                "    Protect current client connection from eviction.",
                "NO-TOUCH (ON|OFF)",
                "    Will not touch LRU/LFU stats when this mode is on.");
    }
}
