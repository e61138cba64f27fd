package dev.kctx.cli.scenario;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;

/**
 * Reads a scenario's bytes with a bound: a regular file, or standard input when the command line
 * says {@code -}. Nothing else is opened (a device such as /dev/zero, a FIFO or a socket never
 * ends), and the reading stops as soon as the input is over {@link #MAX_BYTES}, so an endless
 * stream is refused after reading at most that much.
 */
public final class ScenarioInput {
    /** The command line's name for standard input. */
    public static final String STDIN = "-";
    /** Most bytes read: four per character of the largest scenario ({@link SafeYaml#MAX_CHARS}). */
    public static final int MAX_BYTES = SafeYaml.MAX_CHARS * 4;
    private static final int CHUNK = 64 * 1024;

    private ScenarioInput() {
    }

    /** The text of {@code file}, refused unless it is a regular file of at most {@link #MAX_BYTES} bytes of UTF-8. */
    public static String read(Path file) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new ScenarioError(Node.Loc.START, "no such file", "the path of a scenario file, or '-' for standard input");
        } catch (IOException e) {
            throw new ScenarioError(Node.Loc.START, "cannot read the file (" + reason(e) + ")", "a readable scenario file");
        }
        if (a.isDirectory()) {
            throw new ScenarioError(Node.Loc.START, "this is a directory", "the path of a scenario file (e.g. DIR/*.yaml)");
        }
        if (!a.isRegularFile()) {
            throw new ScenarioError(Node.Loc.START, "this is not a regular file (a device, FIFO or socket)",
                    "a scenario file, or '-' to read standard input");
        }
        if (a.size() > MAX_BYTES) {
            throw tooLong("the file has " + a.size() + " bytes");
        }
        // java.io, not Files.newInputStream: a NIO channel loads libnet, whose JNI_OnLoad opens sockets to probe
        // for IPv4 and IPv6 (docs/reliability.md, "Sockets"); reading a file needs no network.
        try (InputStream in = new java.io.FileInputStream(file.toFile())) {
            return decode(bounded(in));
        } catch (IOException e) {
            throw new ScenarioError(Node.Loc.START, "cannot read the file (" + reason(e) + ")", "a readable scenario file");
        }
    }

    /** The text of standard input, read up to {@link #MAX_BYTES} bytes and refused beyond. */
    public static String read(InputStream stdin) {
        try {
            return decode(bounded(stdin));
        } catch (IOException e) {
            throw new ScenarioError(Node.Loc.START, "cannot read standard input (" + reason(e) + ")",
                    "a scenario on standard input");
        }
    }

    /** Reads {@code in} to its end, or throws as soon as it has given more than {@link #MAX_BYTES}. */
    static byte[] bounded(InputStream in) throws IOException {
        byte[] buf = new byte[CHUNK];
        int n = 0;
        while (true) {
            if (n == buf.length) {
                if (n > MAX_BYTES) {
                    throw tooLong("the input goes on");
                }
                buf = Arrays.copyOf(buf, Math.min(buf.length * 2, MAX_BYTES + 1));
            }
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) {
                return n == buf.length ? buf : Arrays.copyOf(buf, n);
            }
            n += r;
        }
    }

    private static ScenarioError tooLong(String what) {
        return new ScenarioError(Node.Loc.START, what + " beyond the limit of " + MAX_BYTES
                + " bytes", "a scenario of at most 1 MiB (" + SafeYaml.MAX_CHARS + " characters)");
    }

    private static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ScenarioError(at(bytes), "the input is not UTF-8 text", "a UTF-8 YAML file");
        }
    }

    /** Where the first byte that is not UTF-8 is, as line:column of the text before it. */
    private static Node.Loc at(byte[] bytes) {
        var d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length + 1);
        d.decode(in, out, true);
        out.flip();
        return Node.Loc.of(out, out.length());
    }

    /** Why an I/O call failed, in words, never a Java class name. */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        String m = e.getMessage();
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        return m == null || m.isBlank() ? "an I/O error" : Errors.clip(m, 80);
    }
}
