package dev.kctx.tests.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deterministic mutations of valid scenario files: the same (seed, corpus, index) always gives the
 * same bytes, so a failing input is named by its label and rebuilt exactly.
 */
final class Mutator {
    private Mutator() {
    }

    enum Kind {
        TRUNCATE, WRONG_TYPE, HUGE_NUMBER, DEEP_NESTING, ALIAS_BOMB, UNKNOWN_TAG, NON_UTF8, BYTE_FLIP,
        DUPLICATE_KEY, LINE_SHUFFLE, SPLICE, INDENT, CONTROL_CHARS
    }

    /** One mutated input: what was done, and the bytes. */
    record Mutant(String label, Kind kind, byte[] bytes) {
        @Override
        public String toString() {
            return label;
        }
    }

    private static final List<String> WRONG = List.of("[1, 2]", "{a: 1}", "\"text\"", "42", "-7", "true", "~", "\"\"",
            "3.5", "[]", "{}", "[[[]]]", "{cpus: 2}", "forever", "- x", "5", "5 us", "GFP_NONE", "NET_RXX");
    private static final List<String> HUGE = List.of("99999999999999999999999999", "9223372036854775807",
            "9223372036854775808", "-9223372036854775808", "1e308", "1e-308", "0x7fffffff", ".nan", ".inf", "-.inf",
            "0", "-1", "99999999999999ms", "1e30s", "4294967296", "2147483648", "0.0000001ns", "1" + "0".repeat(400),
            "-0", "+5", "1_000_000", "0o777", "99999999999999999h");
    private static final List<String> TAGS = List.of("!!java.lang.Runtime ", "!foo ", "!!str ", "!!binary ",
            "!<tag:yaml.org,2002:javax.script.ScriptEngineManager> ", "!!python/object/apply:os.system ", "!!map ",
            "!!javax.script.ScriptEngineManager ", "!!int ", "!!seq ", "!local ");
    private static final List<byte[]> BAD_UTF8 = List.of(new byte[] {(byte) 0xff}, new byte[] {(byte) 0xfe, (byte) 0xff},
            new byte[] {(byte) 0xc3, 0x28}, new byte[] {(byte) 0xe2, (byte) 0x82}, new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
            new byte[] {(byte) 0xc0, (byte) 0xaf}, new byte[] {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
            new byte[] {(byte) 0x80});
    private static final List<String> CONTROL = List.of("\u0000", "\uFEFF", "\r", "\t", "\u2028", "\u202E", "\u0007",
            "\r\n", "\u00A0", "\uD83D\uDE00", "\u001B[2J");
    private static final Pattern VALUE = Pattern.compile("(?m)(?<=: )[^\\s#\\[{][^\\n#,}\\]]*");
    private static final Pattern NUMBER = Pattern.compile("\\b\\d+(\\.\\d+)?(ns|us|ms|s)?\\b");
    private static final Pattern KEY_LINE = Pattern.compile("(?m)^[ -]*[a-z_]+: .*$");

    /** Mutant {@code index} of {@code text} (the example named {@code name}); {@code others} feed splices. */
    static Mutant mutate(String name, String text, int index, long seed, List<String> others) {
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + name.hashCode() * 31L + index);
        Kind kind = Kind.values()[index % Kind.values().length];
        String label = name + "#" + index + " " + kind.name().toLowerCase().replace('_', '-');
        byte[] bytes = switch (kind) {
            case TRUNCATE -> {
                byte[] b = utf8(text);
                yield java.util.Arrays.copyOf(b, r.nextInt(b.length));
            }
            case WRONG_TYPE -> utf8(replaceOne(text, VALUE, WRONG.get(r.nextInt(WRONG.size())), r));
            case HUGE_NUMBER -> utf8(replaceOne(text, NUMBER, HUGE.get(r.nextInt(HUGE.size())), r));
            case DEEP_NESTING -> {
                int depth = 20 + r.nextInt(r.nextBoolean() ? 60 : 5000);
                String nest = r.nextBoolean() ? "[".repeat(depth) + "]".repeat(depth)
                        : "{a: ".repeat(depth) + "1" + "}".repeat(depth);
                yield utf8(replaceOne(text, VALUE, nest, r));
            }
            case ALIAS_BOMB -> utf8(r.nextBoolean() ? text + laughs(3 + r.nextInt(8)) : aliasBodies(text, r));
            case UNKNOWN_TAG -> utf8(insertBefore(text, VALUE, TAGS.get(r.nextInt(TAGS.size())), r));
            case NON_UTF8 -> {
                byte[] b = utf8(text);
                byte[] bad = BAD_UTF8.get(r.nextInt(BAD_UTF8.size()));
                int at = r.nextInt(b.length + 1);
                ByteArrayOutputStream o = new ByteArrayOutputStream();
                o.write(b, 0, at);
                o.writeBytes(bad);
                o.write(b, at, b.length - at);
                yield o.toByteArray();
            }
            case BYTE_FLIP -> {
                byte[] b = utf8(text);
                int flips = 1 + r.nextInt(8);
                for (int i = 0; i < flips; i++) {
                    int at = r.nextInt(b.length);
                    b[at] = r.nextBoolean() ? (byte) (b[at] ^ (1 << r.nextInt(8))) : (byte) r.nextInt(256);
                }
                yield b;
            }
            case DUPLICATE_KEY -> {
                List<String> lines = new ArrayList<>(text.lines().toList());
                List<Integer> keyed = new ArrayList<>();
                for (int i = 0; i < lines.size(); i++) {
                    if (KEY_LINE.matcher(lines.get(i)).matches() && !lines.get(i).trim().startsWith("-")) {
                        keyed.add(i);
                    }
                }
                if (!keyed.isEmpty()) {
                    int i = keyed.get(r.nextInt(keyed.size()));
                    lines.add(i + 1, lines.get(i));
                }
                yield utf8(String.join("\n", lines) + "\n");
            }
            case LINE_SHUFFLE -> {
                List<String> lines = new ArrayList<>(text.lines().toList());
                int a = r.nextInt(lines.size());
                int b = r.nextInt(lines.size());
                switch (r.nextInt(3)) {
                    case 0 -> lines.remove(a);
                    case 1 -> java.util.Collections.swap(lines, a, b);
                    default -> lines.addAll(Math.min(a, b), lines.subList(Math.min(a, b), Math.max(a, b)).stream().toList());
                }
                yield utf8(String.join("\n", lines) + "\n");
            }
            case SPLICE -> {
                String other = others.get(r.nextInt(others.size()));
                List<String> from = other.lines().toList();
                List<String> lines = new ArrayList<>(text.lines().toList());
                int n = 1 + r.nextInt(4);
                int at = r.nextInt(lines.size() + 1);
                int src = r.nextInt(from.size());
                lines.addAll(at, from.subList(src, Math.min(from.size(), src + n)));
                yield utf8(String.join("\n", lines) + "\n");
            }
            case INDENT -> {
                List<String> lines = new ArrayList<>(text.lines().toList());
                int a = r.nextInt(lines.size());
                String l = lines.get(a);
                lines.set(a, r.nextBoolean() ? " ".repeat(1 + r.nextInt(4)) + l
                        : r.nextBoolean() ? "\t" + l : l.replaceFirst("^ {1,4}", ""));
                yield utf8(String.join("\n", lines) + "\n");
            }
            case CONTROL_CHARS -> {
                String c = CONTROL.get(r.nextInt(CONTROL.size()));
                int at = r.nextInt(text.length() + 1);
                yield utf8(text.substring(0, at) + c + text.substring(at));
            }
        };
        return new Mutant(label, kind, bytes);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String replaceOne(String text, Pattern p, String with, SplittableRandom r) {
        List<int[]> spans = spans(text, p);
        if (spans.isEmpty()) {
            return text + with + "\n";
        }
        int[] s = spans.get(r.nextInt(spans.size()));
        return text.substring(0, s[0]) + with + text.substring(s[1]);
    }

    private static String insertBefore(String text, Pattern p, String what, SplittableRandom r) {
        List<int[]> spans = spans(text, p);
        if (spans.isEmpty()) {
            return what + text;
        }
        int[] s = spans.get(r.nextInt(spans.size()));
        return text.substring(0, s[0]) + what + text.substring(s[0]);
    }

    private static List<int[]> spans(String text, Pattern p) {
        List<int[]> out = new ArrayList<>();
        Matcher m = p.matcher(text);
        while (m.find()) {
            out.add(new int[] {m.start(), m.end()});
        }
        return out;
    }

    /** A "billion laughs" document tail: {@code levels} anchors, each listing the previous one nine times. */
    static String laughs(int levels) {
        StringBuilder sb = new StringBuilder("\nlol0: &l0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
        for (int i = 1; i <= levels; i++) {
            sb.append("lol").append(i).append(": &l").append(i).append(" [");
            for (int j = 0; j < 9; j++) {
                sb.append(j == 0 ? "" : ", ").append("*l").append(i - 1);
            }
            sb.append("]\n");
        }
        return sb.toString();
    }

    /** Anchors the first body and points many new processes at it: legal YAML, a large expansion. */
    private static String aliasBodies(String text, SplittableRandom r) {
        int n = 10 + r.nextInt(200);
        StringBuilder sb = new StringBuilder(text.replaceFirst("(?m)^(\\s*)(body|handler):\\s*$", "$1$2: &fuzzbody"));
        sb.append(text.contains("\nprocesses:") ? "" : "\nprocesses:\n");
        for (int i = 0; i < n; i++) {
            sb.append("  - {name: fz").append(i).append(", body: *fuzzbody}\n");
        }
        return sb.toString();
    }
}
