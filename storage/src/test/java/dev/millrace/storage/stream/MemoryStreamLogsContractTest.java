package dev.millrace.storage.stream;

import dev.millrace.engine.stream.MemoryStreamLogs;
import dev.millrace.engine.stream.StreamLogs;

/** The contract on the engine's heap logs, the reference the Chronicle logs are held to. */
class MemoryStreamLogsContractTest extends StreamLogsContract {
    private final MemoryStreamLogs logs = new MemoryStreamLogs();

    @Override
    StreamLogs logs() {
        return logs;
    }

    @Override
    void reopen() {
    }

    @Override
    void performDeletions() {
    }

    @Override
    void nextCycle() {
    }
}
