package dev.kctx.cli.experiment;

import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Gets the JDK's fonts ready for drawing without writing to the user's home directory. On Linux
 * the JDK builds its font configuration from fontconfig once per JVM and caches what it found in
 * {@code ~/.java/fonts/VERSION/fcinfo-...properties} (sun.font.FcFontConfiguration.writeFcInfo,
 * which takes the directory from the {@code user.home} property at that moment). kctx runs that
 * first font use headless with {@code user.home} pointing at a temporary directory, which it
 * removes afterwards, so nothing of it stays on the host.
 */
final class HeadlessFonts {
    private static boolean ready;

    private HeadlessFonts() {
    }

    /** Initializes the font system once, with no file written outside a temporary directory that is removed. */
    static synchronized void ready() {
        if (ready) {
            return;
        }
        System.setProperty("java.awt.headless", "true");
        String home = System.getProperty("user.home");
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("kctx-fonts");
            System.setProperty("user.home", tmp.toString());
            BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            try {
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
                g.drawString("x", 0, 8);
                g.getFontMetrics().stringWidth("x");
            } finally {
                g.dispose();
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot make a temporary directory for the font cache: " + e.getMessage(), e);
        } finally {
            if (home != null) {
                System.setProperty("user.home", home);
            }
            if (tmp != null) {
                removeTree(tmp);
            }
        }
        ready = true;
    }

    private static void removeTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                    Files.delete(f);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // a cache file left in the temporary directory is all that remains
        }
    }
}
