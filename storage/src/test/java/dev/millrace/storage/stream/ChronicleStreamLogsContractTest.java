package dev.millrace.storage.stream;

import dev.millrace.engine.stream.StreamLogs;
import dev.millrace.storage.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The contract on Chronicle stream logs with the default settings and a clock the test moves. */
class ChronicleStreamLogsContractTest extends StreamLogsContract {
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(1_800_000_000_000L);
    private ChronicleStreamLogs logs;

    @BeforeEach
    void openLogs() {
        logs = ChronicleStreamLogs.open(dir, clock);
    }

    @Override
    StreamLogs logs() {
        return logs;
    }

    @Override
    void reopen() {
        logs.close();
        logs = ChronicleStreamLogs.open(dir, clock);
    }

    @Override
    void performDeletions() {
        logs.deleteReleased();
    }

    @Override
    void nextCycle() {
        clock.advance(logs.settings().rollCycle().lengthInMillis());
    }
}
