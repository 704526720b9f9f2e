package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;

import java.util.Locale;

/** The reply of a container's HELP subcommand, framed as Redis frames it (addReplyHelp). */
public final class HelpReply {
    private HelpReply() { }

    /** Replies with the header naming the command as typed (upper-cased), the lines, and the HELP footer. */
    public static void reply(Call call, String... lines) {
        call.reply().array(lines.length + 3);
        call.reply().simple(call.argString(0).toUpperCase(Locale.ROOT)
                + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        for (String line : lines) {
            call.reply().simple(line);
        }
        call.reply().simple("HELP");
        call.reply().simple("    Prints this help.");
    }
}
