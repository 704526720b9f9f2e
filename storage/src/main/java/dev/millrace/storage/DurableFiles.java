package dev.millrace.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * File operations that must survive a crash or power loss at any point: write-to-temp, fsync,
 * atomic rename, fsync of the directory. Small metadata files are {@link Properties} text so a person
 * can read them. Stateless and thread-safe.
 */
public final class DurableFiles {
    private DurableFiles() {
    }

    /** Writes {@code props} to {@code file} atomically: readers see the old or the new file, never a mix. */
    public static void writeProperties(Path file, Properties props, String comment) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (var out = Files.newOutputStream(tmp)) {
                // Sorted so the file is stable and diffable.
                Properties sorted = new Properties() {
                    @Override
                    public synchronized java.util.Set<java.util.Map.Entry<Object, Object>> entrySet() {
                        return new java.util.LinkedHashSet<>(new TreeMap<>(props).entrySet());
                    }
                };
                sorted.store(out, comment);
            }
            fsync(tmp);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The properties in {@code file}, or null when it does not exist. */
    public static Properties readProperties(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return props;
    }

    public static void fsync(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fsync " + file, e);
        }
    }

    /** Makes a rename or a deletion in {@code dir} durable. */
    public static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fsync directory " + dir, e);
        }
    }

    /** Deletes a directory tree; no-op when absent. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    /** The regular files directly inside {@code dir}, sorted by name. */
    public static List<Path> listFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /**
     * Copies the regular files of {@code from} into the new directory {@code to}, fsyncing each, and
     * returns a CRC32C over the files' names and contents in name order (the same value
     * {@link #checksum} computes), so a copy is verified while it is made.
     */
    public static long copyDirectory(Path from, Path to) {
        try {
            Files.createDirectories(to);
            CRC32C crc = new CRC32C();
            byte[] buf = new byte[1 << 20];
            for (Path src : listFiles(from)) {
                Path dst = to.resolve(src.getFileName().toString());
                crc.update(src.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                try (InputStream in = Files.newInputStream(src);
                     var out = Files.newOutputStream(dst, StandardOpenOption.CREATE_NEW)) {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        crc.update(buf, 0, n);
                        out.write(buf, 0, n);
                    }
                }
                fsync(dst);
            }
            fsyncDirectory(to);
            return crc.getValue();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + from + " to " + to, e);
        }
    }

    /** CRC32C over the names and contents of the regular files of {@code dir}, in name order. */
    public static long checksum(Path dir) {
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[1 << 20];
        try {
            for (Path src : listFiles(dir)) {
                crc.update(src.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                try (InputStream in = Files.newInputStream(src)) {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        crc.update(buf, 0, n);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
        return crc.getValue();
    }
}
