package dev.kctx.cli.output;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.Objects;

/**
 * The one place that writes into an output directory ({@code --out}). {@link #open} checks the
 * directory before any work is done (it must be a directory kctx can create or write, not a file
 * or a device) and locks it, so that a second run into the same directory refuses instead of
 * mixing its files with the first's. {@link #write} writes each file under a temporary name in the
 * directory and renames it into place: a reader never sees half a file, and a symbolic link planted
 * at the file's name is replaced, never followed, so its target stays as it was. The lock is an
 * fcntl lock on the empty file {@link #LOCK}, which the operating system releases if the process
 * dies; this process never opens that file a second time, since closing any descriptor of it
 * would release the lock (POSIX record locks belong to the process and the file).
 */
public final class OutputDir implements AutoCloseable {
    /** The lock file: created by the first run, locked by the run that writes, left (empty) in the directory. */
    public static final String LOCK = ".kctx.lock";

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private OutputDir(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Why an output directory cannot be used: one line, without Java class names. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /** Checks {@code name} (as the user gave it), creates the directory if needed and locks it. */
    public static OutputDir open(String name) throws Refused {
        Objects.requireNonNull(name);
        if (name.isBlank()) {
            throw new Refused("an empty directory name; expected a directory such as out/");
        }
        Path dir;
        try {
            dir = Path.of(name);
        } catch (InvalidPathException e) {
            throw new Refused(name + ": not a valid path; expected a directory such as out/");
        }
        return open(dir);
    }

    /** As {@link #open(String)}. */
    public static OutputDir open(Path dir) throws Refused {
        String shown = dir.toString();
        try {
            BasicFileAttributes a = Files.readAttributes(dir, BasicFileAttributes.class);
            if (!a.isDirectory()) {
                throw new Refused(shown + ": " + (a.isRegularFile() ? "is a file" : "is a device, FIFO or socket")
                        + ", not a directory; expected a directory kctx can create or write");
            }
        } catch (NoSuchFileException e) {
            try {
                Files.createDirectories(dir);
            } catch (IOException | UnsupportedOperationException x) {
                throw new Refused(shown + ": cannot create the directory (" + reason(x) + "); expected a directory kctx"
                        + " can create or write");
            }
        } catch (IOException e) {
            throw new Refused(shown + ": " + reason(e) + "; expected a directory kctx can create or write");
        }
        Path lockFile = dir.resolve(LOCK);
        FileChannel ch;
        try {
            // NOFOLLOW_LINKS: a link planted at the lock's name is refused, not followed.
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
            throw new Refused(shown + ": cannot write in the directory (" + reason(e) + "); expected a directory kctx"
                    + " can create or write");
        }
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by another run in this JVM
        } catch (IOException e) {
            closeQuietly(ch);
            throw new Refused(shown + ": cannot lock the directory (" + reason(e) + ")"
                    + "; expected a directory on a file system with locks");
        }
        if (lock == null) {
            closeQuietly(ch);
            throw busy(shown, lockFile);
        }
        return new OutputDir(dir, ch, lock);
    }

    private static Refused busy(String shown, Path lockFile) {
        return new Refused(shown + ": another kctx run is writing there (it holds " + lockFile + ")"
                + "; expected a directory no other run uses: wait for it, or choose another --out");
    }

    public Path dir() {
        return dir;
    }

    /** Writes {@code name} with {@code text} (UTF-8). */
    public void write(String name, String text) throws IOException {
        write(name, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes {@code name}: the bytes go to a new temporary file in the directory (created
     * exclusively, so never through a link), which is then renamed over {@code name}. rename(2)
     * replaces whatever is at the name, a symbolic link included, without following it.
     */
    public void write(String name, byte[] bytes) throws IOException {
        if (name.contains("/") || name.startsWith(".")) {
            throw new IllegalArgumentException("an output file name of its own: " + name);
        }
        Path tmp = dir.resolve("." + name + ".tmp-" + ProcessHandle.current().pid());
        Files.deleteIfExists(tmp);
        try {
            Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Lets the directory go. The lock file stays (empty): were it removed, a run that opened it just
     * before could lock the removed file while a third run locks a new one, and both would write.
     */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel releases it too
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /** Why an I/O call failed, in words: {@code permission denied}, {@code read-only file system}, ... */
    public static String reason(Exception e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "a file of that name exists";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason().toLowerCase(Locale.ROOT);
        }
        if (e instanceof UnsupportedOperationException) {
            return "not supported there";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? "an I/O error" : m;
    }
}
