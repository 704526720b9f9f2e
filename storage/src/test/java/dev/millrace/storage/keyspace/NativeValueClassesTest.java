package dev.millrace.storage.keyspace;

import net.openhft.chronicle.hash.VanillaGlobalMutableState;
import net.openhft.chronicle.values.ValueModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Method;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Guards the value class shipped precompiled in src/main/java/net/openhft/chronicle/hash (see its header
 * comment): it must be exactly what chronicle-values generates for the Chronicle version in use, so an
 * upgrade cannot silently ship a stale class, and opening a keystore must load it instead of compiling.
 */
class NativeValueClassesTest {
    private static final Class<?> VALUE_INTERFACE = VanillaGlobalMutableState.class;
    private static final String NATIVE_SUFFIX = "$$Native";
    private static final Path SHIPPED_SOURCE = Path.of("src/main/java",
            VALUE_INTERFACE.getName().replace('.', '/') + NATIVE_SUFFIX + ".java");

    @TempDir
    Path dir;

    @Test
    void shippedSourceIsWhatChronicleValuesGeneratesForTheVersionInUse() throws Exception {
        String shipped = Files.readString(SHIPPED_SOURCE, StandardCharsets.UTF_8);
        String withoutHeader = shipped.substring(shipped.indexOf("*/\n") + "*/\n".length());
        String generated = generatedNativeSource(VALUE_INTERFACE);
        assertEquals(generated, withoutHeader, () -> SHIPPED_SOURCE + " is stale for this chronicle-values; "
                + "replace the text below its header comment with:\n" + generated);
    }

    @Test
    void openingAKeyStoreLoadsTheShippedClassInsteadOfCompilingOne() {
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16)) {
            store.put(0, new byte[] {'k'}, new byte[] {'v'});
            assertArrayEquals(new byte[] {'v'}, store.get(0, new byte[] {'k'}));
        }
        Class<?> used = ValueModel.acquire(VALUE_INTERFACE).nativeClass();
        assertEquals(VALUE_INTERFACE.getName() + NATIVE_SUFFIX, used.getName());
        // A class compiled at run time has no code source of ours: this one must come from the storage
        // module's own classes (target/classes in a build, the storage jar in the launcher).
        assertEquals(codeSource(ChronicleKeyStore.class), codeSource(used));
    }

    /** The source chronicle-values compiles at run time when the class is missing (its package-private generator). */
    private static String generatedNativeSource(Class<?> valueInterface) throws ReflectiveOperationException {
        Method generate = Class.forName("net.openhft.chronicle.values.Generators")
                .getDeclaredMethod("generateNativeClass", ValueModel.class, String.class);
        generate.setAccessible(true);
        return (String) generate.invoke(null, ValueModel.acquire(valueInterface),
                valueInterface.getSimpleName() + NATIVE_SUFFIX);
    }

    private static URL codeSource(Class<?> type) {
        return type.getProtectionDomain().getCodeSource().getLocation();
    }
}
