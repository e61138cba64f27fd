package dev.kctx.cli.scenario;

import java.util.List;

/**
 * A YAML node with the place it was written: what the scenario loader reads instead of an untyped
 * tree, so that every error can name its line and column. Aliases share the anchored node.
 */
public sealed interface Node permits Node.MapNode, Node.SeqNode, Node.ScalarNode {

    /** Where the node starts, 1-based. */
    Loc loc();

    /** Nodes in this subtree with aliases expanded: what guards against alias bombs. */
    long size();

    /** "a mapping", "a list", "a string"...: for "wrong type" errors. */
    String describe();

    /** A 1-based line and column in the scenario file. */
    record Loc(int line, int col) {
        public static final Loc START = new Loc(1, 1);

        /** The line and column of the character at {@code offset} in {@code text} (columns count UTF-16 units). */
        public static Loc of(CharSequence text, int offset) {
            int line = 1;
            int col = 1;
            for (int i = 0; i < offset && i < text.length(); i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                    col = 1;
                } else {
                    col++;
                }
            }
            return new Loc(line, col);
        }
    }

    /** One key of a mapping, with the key's own location (errors about the key point at it). */
    record Entry(String key, Loc keyLoc, Node value) {
    }

    /** A mapping; keys are unique (the reader rejects duplicates). */
    record MapNode(Loc loc, List<Entry> entries, long size) implements Node {
        public MapNode {
            entries = List.copyOf(entries);
        }

        public String describe() {
            return "a mapping";
        }
    }

    /** A list. */
    record SeqNode(Loc loc, List<Node> items, long size) implements Node {
        public SeqNode {
            items = List.copyOf(items);
        }

        public String describe() {
            return "a list";
        }
    }

    /** What YAML made of a plain or quoted scalar. */
    enum ScalarKind { STRING, INT, FLOAT, BOOL, NULL }

    /** A scalar with its source text; numbers are kept as text until a field asks for one. */
    record ScalarNode(Loc loc, ScalarKind kind, String text) implements Node {
        public long size() {
            return 1;
        }

        public String describe() {
            return switch (kind) {
                case STRING -> "a string '" + Errors.clip(text) + "'";
                case INT -> "the integer " + Errors.clip(text);
                case FLOAT -> "the number " + Errors.clip(text);
                case BOOL -> "the boolean " + text;
                case NULL -> "nothing (null)";
            };
        }
    }
}
