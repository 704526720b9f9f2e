package dev.millrace.storage.keyspace;

import dev.millrace.engine.keyspace.KeyStore;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The page and owner contract on real Chronicle Map files; housekeeping finishes when settling. */
class ChronicleKeyStoreContractTest extends KeyStoreContract {
    @TempDir
    Path dir;

    @Override
    protected KeyStore open() {
        return ChronicleKeyStore.open(dir, 16);
    }

    @Override
    protected void settle() {
        ((ChronicleKeyStore) store).finishHousekeeping();
    }
}
