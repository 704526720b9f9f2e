package dev.millrace.storage.keyspace;

import dev.millrace.engine.keyspace.KeyStore;
import dev.millrace.engine.keyspace.MemoryKeyStore;

/** The page and owner contract on the engine's heap store, which deletes pages at once. */
class MemoryKeyStoreContractTest extends KeyStoreContract {
    @Override
    protected KeyStore open() {
        return new MemoryKeyStore(16);
    }

    @Override
    protected void settle() {
    }
}
