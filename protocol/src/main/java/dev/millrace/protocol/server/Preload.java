package dev.millrace.protocol.server;

import dev.millrace.engine.command.CommandTable;
import io.netty.channel.epoll.Epoll;

/**
 * Start-up work that needs nothing from the storage, begun on a thread of its own so it runs beside the
 * main thread's opening of the storage (the longest step of a start; docs/performance.md, "Start-up"):
 * parsing the command table and loading Netty's native transport. Both are class initializations,
 * which the JVM runs once: when the main thread reaches them first or meanwhile, it uses (or waits
 * for) the same result, so nothing is done twice and a failure surfaces in the main thread as before.
 */
final class Preload {
    private Preload() { }

    static void begin() {
        Thread preload = new Thread(() -> {
            CommandTable.load();
            Epoll.isAvailable();
        }, "millrace-preload");
        preload.setDaemon(true);
        preload.start();
    }
}
