package dev.kctx.cli.scenario;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactoryBuilder;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.kctx.cli.scenario.Node.Loc;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one YAML document into located {@link Node}s, and nothing more: no tags are honoured
 * (any tag is an error), no class is ever instantiated, and size, depth, alias count and the
 * alias-expanded node count are bounded so that hostile input fails fast. Jackson's streaming
 * parser gives the tokens and their locations; the tree is built here.
 */
public final class SafeYaml {
    /** Largest scenario file, in characters. */
    public static final int MAX_CHARS = 1 << 20;
    /** Deepest nesting of mappings and lists. */
    public static final int MAX_DEPTH = 40;
    /** Most aliases (*name) in one document. */
    public static final int MAX_ALIASES = 100;
    /** Most nodes once aliases are expanded: stops "billion laughs" documents. */
    public static final long MAX_NODES = 100_000;
    /** Longest scalar, in characters. */
    public static final int MAX_SCALAR = 64 * 1024;

    private static final YAMLFactory FACTORY = factory();

    private final StrictParser p;
    private final Map<String, Node> anchors = new HashMap<>();
    private int aliases;

    private SafeYaml(StrictParser p) {
        this.p = p;
    }

    private static YAMLFactory factory() {
        LoaderOptions lo = new LoaderOptions();
        lo.setAllowDuplicateKeys(true); // rejected by the tree builder, with a location
        lo.setAllowRecursiveKeys(false);
        lo.setMaxAliasesForCollections(MAX_ALIASES);
        lo.setNestingDepthLimit(MAX_DEPTH + 10);
        lo.setCodePointLimit(MAX_CHARS + 16);
        lo.setProcessComments(false);
        lo.setWrappedToRootException(false);
        return new StrictFactory(YAMLFactory.builder()
                .loaderOptions(lo)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_DEPTH + 10)
                        .maxNumberLength(100)
                        .maxStringLength(MAX_SCALAR + 16)
                        .maxDocumentLength(MAX_CHARS + 16L)
                        .build()));
    }

    /** Jackson's factory, making parsers that show the YAML event behind each token. */
    private static final class StrictFactory extends YAMLFactory {
        private static final long serialVersionUID = 1L;

        StrictFactory(YAMLFactoryBuilder b) {
            super(b);
        }

        @Override
        protected YAMLParser _createParser(Reader r, IOContext ctxt) {
            return new StrictParser(ctxt, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec, r);
        }
    }

    /** Exposes the YAML event of the current token: tags and anchors of every node, keys included. */
    private static final class StrictParser extends YAMLParser {
        StrictParser(IOContext ctxt, int parserFeatures, int formatFeatures, LoaderOptions lo,
                     com.fasterxml.jackson.core.ObjectCodec codec, Reader reader) {
            super(ctxt, parserFeatures, formatFeatures, lo, codec, reader);
        }

        Event event() {
            return _lastEvent;
        }
    }

    /** Parses {@code text}; the root of an empty document is null. Throws {@link ScenarioError}. */
    public static Node parse(String text) {
        if (text.length() > MAX_CHARS) {
            throw new ScenarioError(Loc.START, "the file has " + text.length() + " characters, more than the limit of "
                    + MAX_CHARS, "a scenario of at most 1 MiB");
        }
        checkPrintable(text);
        try (StrictParser p = (StrictParser) FACTORY.createParser(new StringReader(text))) {
            SafeYaml y = new SafeYaml(p);
            JsonToken t = p.nextToken();
            if (t == null) {
                return null;
            }
            Node root = y.read(t, 1);
            JsonToken after = p.nextToken();
            if (after != null) {
                throw new ScenarioError(y.loc(), "a second YAML document in the file",
                        "one document per scenario file (remove the '---' separator)");
            }
            return root;
        } catch (ScenarioError e) {
            throw e;
        } catch (JsonProcessingException e) {
            throw syntax(e);
        } catch (IOException | RuntimeException e) {
            // Includes snakeyaml's own limit and scanner exceptions, which may surface unwrapped.
            throw syntax(e);
        }
    }

    /**
     * Refuses, at its line and column, the first character YAML does not allow in a stream (C0 and C1
     * controls other than tab and line breaks, surrogates, U+FFFE/U+FFFF): the YAML reader would
     * refuse it too, but without saying where.
     */
    private static void checkPrintable(String text) {
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            boolean ok = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0x7E) || c == 0x85
                    || (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
            if (!ok) {
                throw new ScenarioError(Loc.of(text, i), String.format("the character U+%04X is not allowed in YAML", c),
                        "printable UTF-8 text");
            }
            i += Character.charCount(c);
        }
    }

    private Node read(JsonToken t, int depth) throws IOException {
        Loc loc = loc();
        checkNotTagged(loc);
        String anchor = p.isCurrentAlias() ? null : anchor();
        Node n = switch (t) {
            case START_OBJECT -> readMap(loc, depth);
            case START_ARRAY -> readSeq(loc, depth);
            case VALUE_STRING -> p.isCurrentAlias() ? alias(loc) : scalar(loc, Node.ScalarKind.STRING);
            case VALUE_NUMBER_INT -> scalar(loc, Node.ScalarKind.INT);
            case VALUE_NUMBER_FLOAT -> scalar(loc, Node.ScalarKind.FLOAT);
            case VALUE_TRUE, VALUE_FALSE -> scalar(loc, Node.ScalarKind.BOOL);
            case VALUE_NULL -> scalar(loc, Node.ScalarKind.NULL);
            default -> throw new ScenarioError(loc, "unsupported YAML content (" + t + ")",
                    "mappings, lists and plain values");
        };
        if (anchor != null) {
            anchors.put(anchor, n);
        }
        return n;
    }

    private Node readMap(Loc loc, int depth) throws IOException {
        checkDepth(loc, depth);
        List<Node.Entry> entries = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        long size = 1;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_OBJECT) {
            if (t != JsonToken.FIELD_NAME) {
                throw new ScenarioError(loc(), "unsupported mapping key", "plain keys such as 'cpus'");
            }
            Loc keyLoc = loc();
            checkNotTagged(keyLoc);
            if (p.isCurrentAlias()) {
                throw new ScenarioError(keyLoc, "an alias used as a mapping key", "plain keys such as 'cpus'");
            }
            String keyAnchor = anchor();
            if (keyAnchor != null) {
                throw new ScenarioError(keyLoc, "an anchor &" + Errors.clip(keyAnchor) + " on the mapping key '"
                        + Errors.clip(p.currentName()) + "'", "anchors on values only, e.g. 'key: &name value'");
            }
            String key = p.currentName();
            if (!keys.add(key)) {
                throw new ScenarioError(keyLoc, "duplicate key '" + Errors.clip(key) + "'", "each key once per mapping");
            }
            Node value = read(p.nextToken(), depth + 1);
            size = grow(size, value.size(), keyLoc);
            entries.add(new Node.Entry(key, keyLoc, value));
        }
        return new Node.MapNode(loc, entries, size);
    }

    private Node readSeq(Loc loc, int depth) throws IOException {
        checkDepth(loc, depth);
        List<Node> items = new ArrayList<>();
        long size = 1;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            Node item = read(t, depth + 1);
            size = grow(size, item.size(), item.loc());
            items.add(item);
        }
        return new Node.SeqNode(loc, items, size);
    }

    private Node alias(Loc loc) throws IOException {
        String name = p.getText();
        if (++aliases > MAX_ALIASES) {
            throw new ScenarioError(loc, "more than " + MAX_ALIASES + " aliases", "fewer aliases (*name) in one file");
        }
        Node target = anchors.get(name);
        if (target == null) {
            throw new ScenarioError(loc, "alias *" + Errors.clip(name) + " names no complete anchor before it",
                    "an anchor &" + Errors.clip(name) + " on a mapping, list or value, closed before the alias");
        }
        return target;
    }

    private Node scalar(Loc loc, Node.ScalarKind kind) throws IOException {
        String text = p.getText();
        if (text.length() > MAX_SCALAR) {
            throw new ScenarioError(loc, "a value of " + text.length() + " characters", "at most " + MAX_SCALAR);
        }
        return new Node.ScalarNode(loc, kind, text);
    }

    private long grow(long size, long add, Loc at) {
        long s = size + add;
        if (s > MAX_NODES) {
            throw new ScenarioError(at, "the document expands to more than " + MAX_NODES
                    + " nodes (an alias bomb?)", "a smaller scenario");
        }
        return s;
    }

    private void checkDepth(Loc loc, int depth) {
        if (depth > MAX_DEPTH) {
            throw new ScenarioError(loc, "nesting deeper than " + MAX_DEPTH + " levels", "a flatter document");
        }
    }

    /** The anchor (&name) of the current node, if any. */
    private String anchor() {
        return p.event() instanceof NodeEvent n ? n.getAnchor() : null;
    }

    private void checkNotTagged(Loc loc) {
        Event e = p.event();
        String tag = e instanceof ScalarEvent s ? s.getTag() : e instanceof CollectionStartEvent c ? c.getTag() : null;
        if (tag != null) {
            throw new ScenarioError(loc, "YAML tag '" + Errors.clip(tag.replaceFirst("^tag:yaml.org,2002:", "!!"))
                    + "' is not allowed", "plain values without tags (kctx never instantiates classes)");
        }
    }

    private Loc loc() {
        JsonLocation l = p.currentTokenLocation();
        return new Loc(Math.max(1, l.getLineNr()), Math.max(1, l.getColumnNr()));
    }

    private static ScenarioError syntax(Exception e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof MarkedYAMLException m) {
                Mark mark = m.getProblemMark() != null ? m.getProblemMark() : m.getContextMark();
                Loc loc = mark == null ? Loc.START : new Loc(mark.getLine() + 1, mark.getColumn() + 1);
                String problem = m.getProblem() == null ? "" : m.getProblem();
                String context = m.getContext() == null ? "" : " (" + m.getContext() + ")";
                return new ScenarioError(loc, "YAML syntax error: " + oneLine(problem + context),
                        "well-formed YAML");
            }
        }
        Loc loc = Loc.START;
        if (e instanceof JsonProcessingException j && j.getLocation() != null && j.getLocation().getLineNr() > 0) {
            loc = new Loc(j.getLocation().getLineNr(), Math.max(1, j.getLocation().getColumnNr()));
        }
        String msg = e instanceof JsonProcessingException j ? j.getOriginalMessage() : String.valueOf(e.getMessage());
        if (msg != null && msg.startsWith("Expected a field name")) {
            return new ScenarioError(loc, "a complex mapping key (a list or a mapping used as a key)",
                    "plain keys such as 'cpus'");
        }
        return new ScenarioError(loc, "unreadable YAML: " + Errors.clip(oneLine(withoutEvents(msg)), 200),
                "well-formed YAML within the limits");
    }

    /** The YAML reader's messages name its events as Java objects: {@code <...SequenceStartEvent(...)>} becomes {@code the start of a list}. */
    static String withoutEvents(String msg) {
        String m = String.valueOf(msg);
        m = m.replaceAll("<?org\\.yaml\\.snakeyaml\\.events\\.SequenceStartEvent\\([^)]*\\)>?", "the start of a list");
        m = m.replaceAll("<?org\\.yaml\\.snakeyaml\\.events\\.MappingStartEvent\\([^)]*\\)>?", "the start of a mapping");
        m = m.replaceAll("<?org\\.yaml\\.snakeyaml\\.events\\.(\\w+)Event(\\([^)]*\\))?>?", "a YAML $1");
        return m.replaceAll("(?:[a-z]+\\.)+[A-Z]\\w*(Exception|Error)", "error");
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }
}
