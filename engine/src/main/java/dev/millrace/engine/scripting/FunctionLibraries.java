package dev.millrace.engine.scripting;

import dev.millrace.engine.keyspace.KeyStore;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The function libraries (FUNCTION LOAD): each library's code and the functions it registered, by
 * library and by function name. Execution thread only.
 *
 * <p><b>Persistence.</b> The library set is not part of any database, yet it must outlive restarts and
 * snapshots (which copy the key store and replay the log over the copy). So it lives in the key
 * store as one reserved page, object id {@link #STORE_OBJECT_ID} page 0, holding the same payload
 * FUNCTION DUMP returns; no key owns it, so no command, scan or flush of a database sees or removes it.
 * Every change rewrites the page, and the FUNCTION command is logged as its effect, so replaying the
 * log over an older copy of the store (recovery, a snapshot build) reaches the same set.
 *
 * <p><b>Payload</b> (FUNCTION DUMP / RESTORE, Millrace's own format, not Redis's RDB encoding):
 * the magic {@code "MRFN"}, a version byte (1), the library count (4 bytes, big-endian), then per
 * library its code's length (4 bytes) and the code (with its {@code #!lua name=} line), and last a
 * CRC32 of everything before it (8 bytes). Loading a payload recompiles each library from its code.
 */
final class FunctionLibraries {
    /** The reserved page holding the library set: object ids the store allocates start at 1. */
    static final long STORE_OBJECT_ID = -1;
    private static final byte[] MAGIC = {'M', 'R', 'F', 'N'};
    private static final int VERSION = 1;

    /** A registered function: its Lua function's registry slot and what FUNCTION LIST shows (flags in Redis's order). */
    record Function(String name, String library, int ref, String description, List<String> flags) {
        boolean readOnly() {
            return flags.contains("no-writes");
        }
    }

    /** A loaded library: its code and its functions in registration order. */
    record Library(String name, byte[] code, Map<String, Function> functions) {
    }

    private final Map<String, Library> libraries = new LinkedHashMap<>();
    private final Map<String, Function> functions = new LinkedHashMap<>();

    Library library(String name) {
        return libraries.get(name);
    }

    Function function(String name) {
        return functions.get(name);
    }

    List<Library> all() {
        return new ArrayList<>(libraries.values());
    }

    int functionCount() {
        return functions.size();
    }

    /** The function of another library than {@code except} that has one of these names, or null. */
    String collision(Library candidate, String except) {
        for (String name : candidate.functions().keySet()) {
            Function existing = functions.get(name);
            if (existing != null && !existing.library().equals(except)) {
                return name;
            }
        }
        return null;
    }

    /** Adds (or replaces) a library; returns the library it replaced, whose functions the caller releases. */
    Library put(Library library) {
        Library old = remove(library.name());
        libraries.put(library.name(), library);
        functions.putAll(library.functions());
        return old;
    }

    Library remove(String name) {
        Library old = libraries.remove(name);
        if (old != null) {
            old.functions().keySet().forEach(functions::remove);
        }
        return old;
    }

    void clear() {
        libraries.clear();
        functions.clear();
    }

    byte[] dump() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        out.write(VERSION);
        out.writeBytes(ByteBuffer.allocate(4).putInt(libraries.size()).array());
        for (Library library : libraries.values()) {
            out.writeBytes(ByteBuffer.allocate(4).putInt(library.code().length).array());
            out.writeBytes(library.code());
        }
        CRC32 crc = new CRC32();
        crc.update(out.toByteArray());
        out.writeBytes(ByteBuffer.allocate(8).putLong(crc.getValue()).array());
        return out.toByteArray();
    }

    /** The library codes of a payload, or null when it is not a valid payload of this format. */
    static List<byte[]> parse(byte[] payload) {
        if (payload.length < MAGIC.length + 1 + 4 + 8) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(payload);
        CRC32 crc = new CRC32();
        crc.update(payload, 0, payload.length - 8);
        if (b.getLong(payload.length - 8) != crc.getValue()) {
            return null;
        }
        for (byte m : MAGIC) {
            if (b.get() != m) {
                return null;
            }
        }
        if (b.get() != VERSION) {
            return null;
        }
        int count = b.getInt();
        List<byte[]> codes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (b.remaining() < 4 + 8) {
                return null;
            }
            int length = b.getInt();
            if (length < 0 || b.remaining() - 8 < length) {
                return null;
            }
            byte[] code = new byte[length];
            b.get(code);
            codes.add(code);
        }
        return b.remaining() == 8 ? codes : null;
    }

    /** Writes the set to its reserved page (removes the page when there is no library). */
    void save(KeyStore store) {
        if (libraries.isEmpty()) {
            if (stored(store) != null) {
                store.removePage(STORE_OBJECT_ID, 0);
            }
        } else {
            store.putPage(STORE_OBJECT_ID, 0, dump());
        }
    }

    /** The payload the store holds, or null when it holds no library. */
    static byte[] stored(KeyStore store) {
        return store.getPage(STORE_OBJECT_ID, 0);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
