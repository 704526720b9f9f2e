package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.tracking.ClientTracking;
import dev.millrace.engine.tracking.TrackingClient;
import dev.millrace.engine.util.Numbers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * CLIENT TRACKING, CLIENT CACHING, CLIENT GETREDIR and CLIENT TRACKINGINFO: the commands of
 * client-side caching, with Redis 7.0's checks, their order and its error texts (networking.c). The
 * state and the invalidations live in {@link ClientTracking}. Execution thread only.
 */
public final class ClientTrackingCommands implements CommandFamily {
    private final Engine engine;

    public ClientTrackingCommands(Engine engine) {
        this.engine = engine;
    }

    @Override
    public void register(Bindings bind) {
        bind.bind("client|tracking", this::tracking);
        bind.bind("client|caching", this::caching);
        bind.bind("client|getredir", call -> call.reply().integer(redirectOf(call)));
        bind.bind("client|trackinginfo", this::trackingInfo);
    }

    /** CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]. */
    private void tracking(Call call) {
        long redirect = 0;
        boolean bcast = false;
        boolean optIn = false;
        boolean optOut = false;
        boolean noLoop = false;
        List<byte[]> prefixes = new ArrayList<>();
        for (int j = 3; j < call.argc(); j++) {
            boolean more = j + 1 < call.argc();
            if (call.argIs(j, "redirect") && more) {
                j++;
                if (redirect != 0) {
                    call.reply().error(Errors.TRACKING_ONE_REDIRECT);
                    return;
                }
                Long id = Numbers.parseLong(call.arg(j));
                if (id == null) {
                    call.reply().error(Errors.NOT_INTEGER);
                    return;
                }
                if (engine.clients().byId(id) == null) {
                    call.reply().error(Errors.TRACKING_NO_SUCH_REDIRECT);
                    return;
                }
                redirect = id;
            } else if (call.argIs(j, "bcast")) {
                bcast = true;
            } else if (call.argIs(j, "optin")) {
                optIn = true;
            } else if (call.argIs(j, "optout")) {
                optOut = true;
            } else if (call.argIs(j, "noloop")) {
                noLoop = true;
            } else if (call.argIs(j, "prefix") && more) {
                prefixes.add(call.arg(++j));
            } else {
                call.syntaxError();
                return;
            }
        }
        ClientTracking tracking = engine.tracking();
        if (call.argIs(2, "on")) {
            String refusal = refusal(call, tracking.of(call.session()), bcast, optIn, optOut, prefixes);
            if (refusal != null) {
                call.reply().error(refusal);
                return;
            }
            tracking.enable(call.session(), redirect, bcast, optIn, optOut, noLoop, prefixes);
        } else if (call.argIs(2, "off")) {
            tracking.disable(call.session());
        } else {
            call.syntaxError();
            return;
        }
        call.reply().simple("OK");
    }

    /** Why CLIENT TRACKING ON with these options is refused, in Redis's order of checks; null if it is not. */
    private String refusal(Call call, TrackingClient current, boolean bcast, boolean optIn, boolean optOut,
                           List<byte[]> prefixes) {
        if (!bcast && !prefixes.isEmpty()) {
            return Errors.TRACKING_PREFIX_WITHOUT_BCAST;
        }
        if (current != null && current.bcast() != bcast) {
            return Errors.TRACKING_BCAST_SWITCH;
        }
        if (bcast && (optIn || optOut)) {
            return Errors.TRACKING_BCAST_WITH_OPTIN_OPTOUT;
        }
        if (optIn && optOut) {
            return Errors.TRACKING_OPTIN_AND_OPTOUT;
        }
        if (current != null && ((optIn && current.optOut()) || (optOut && current.optIn()))) {
            return Errors.TRACKING_OPTIN_OPTOUT_SWITCH;
        }
        if (bcast) {
            for (int i = 0; i < prefixes.size(); i++) {
                byte[] existing = engine.tracking().overlappingPrefix(call.session(), prefixes.get(i));
                if (existing != null) {
                    return Errors.trackingPrefixOverlapsExisting(text(prefixes.get(i)), text(existing));
                }
                for (int j = i + 1; j < prefixes.size(); j++) {
                    if (ClientTracking.overlap(prefixes.get(i), prefixes.get(j))) {
                        return Errors.trackingPrefixOverlapsGiven(text(prefixes.get(i)), text(prefixes.get(j)));
                    }
                }
            }
        }
        return null;
    }

    /** CLIENT CACHING YES (in OPTIN mode) | NO (in OPTOUT mode): for the next command only. */
    private void caching(Call call) {
        TrackingClient client = engine.tracking().of(call.session());
        if (client == null) {
            call.reply().error(Errors.CACHING_WITHOUT_TRACKING);
            return;
        }
        if (call.argIs(2, "yes")) {
            if (!client.optIn()) {
                call.reply().error(Errors.CACHING_YES_WITHOUT_OPTIN);
                return;
            }
        } else if (call.argIs(2, "no")) {
            if (!client.optOut()) {
                call.reply().error(Errors.CACHING_NO_WITHOUT_OPTOUT);
                return;
            }
        } else {
            call.syntaxError();
            return;
        }
        engine.tracking().cacheNext(call.session());
        call.reply().simple("OK");
    }

    /** The redirection of a tracking client (0: none), -1 when tracking is off. */
    private long redirectOf(Call call) {
        TrackingClient client = engine.tracking().of(call.session());
        return client == null ? -1 : client.redirect();
    }

    /** CLIENT TRACKINGINFO: flags (a set, in Redis's order), redirect, prefixes. */
    private void trackingInfo(Call call) {
        TrackingClient client = engine.tracking().of(call.session());
        List<String> flags = new ArrayList<>();
        if (client == null) {
            flags.add("off");
        } else {
            flags.add("on");
            if (client.bcast()) {
                flags.add("bcast");
            }
            if (client.optIn()) {
                flags.add("optin");
                if (client.caching()) {
                    flags.add("caching-yes");
                }
            }
            if (client.optOut()) {
                flags.add("optout");
                if (client.caching()) {
                    flags.add("caching-no");
                }
            }
            if (client.noLoop()) {
                flags.add("noloop");
            }
            if (client.brokenRedirect()) {
                flags.add("broken_redirect");
            }
        }
        ReplyWriter out = call.reply();
        out.map(3);
        out.bulk("flags");
        out.set(flags.size());
        flags.forEach(out::bulk);
        out.bulk("redirect");
        out.integer(redirectOf(call));
        out.bulk("prefixes");
        if (client == null) {
            out.array(0);
        } else {
            out.array(client.prefixes().size());
            client.prefixes().forEach(out::bulk);
        }
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
