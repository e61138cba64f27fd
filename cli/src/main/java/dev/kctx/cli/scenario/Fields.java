package dev.kctx.cli.scenario;

import dev.kctx.cli.scenario.Node.Loc;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The keys of one YAML mapping, checked against the keys its section allows: an unknown key is
 * an error at the key, a missing required key an error at the mapping.
 */
public final class Fields {
    private final Node.MapNode map;
    private final String where;
    private final List<String> allowed;
    private final Map<String, Node.Entry> byKey = new LinkedHashMap<>();

    private Fields(Node.MapNode map, String where, List<String> allowed) {
        this.map = map;
        this.where = where;
        this.allowed = List.copyOf(allowed);
        for (Node.Entry e : map.entries()) {
            byKey.put(e.key(), e);
        }
    }

    /** Reads {@code node} as a mapping of {@code where} (e.g. "machine") with the keys {@code allowed}. */
    public static Fields of(Node node, String where, List<String> allowed) {
        Node.MapNode m = Values.map(node, where, "keys " + String.join(", ", allowed));
        Fields f = new Fields(m, where, allowed);
        for (Node.Entry e : m.entries()) {
            if (!f.allowed.contains(e.key())) {
                throw new ScenarioError(e.keyLoc(), Errors.unknown("key", e.key(), " in " + where, allowed),
                        Errors.oneOf(allowed));
            }
        }
        return f;
    }

    public Loc loc() {
        return map.loc();
    }

    public String where() {
        return where;
    }

    public boolean has(String key) {
        return byKey.containsKey(key);
    }

    /** The value of {@code key}, absent also when it is written but empty ({@code key:} alone). */
    public Optional<Node> opt(String key) {
        Node.Entry e = byKey.get(key);
        if (e == null || Values.isNull(e.value())) {
            return Optional.empty();
        }
        return Optional.of(e.value());
    }

    public Node req(String key, String expected) {
        return opt(key).orElseThrow(() -> {
            Node.Entry e = byKey.get(key);
            return new ScenarioError(e == null ? map.loc() : e.keyLoc(),
                    (e == null ? "missing required key '" : "empty required key '") + key + "' in " + where,
                    "'" + key + ": " + expected + "'");
        });
    }

    /** The location of {@code key} itself (or of the mapping when absent). */
    public Loc keyLoc(String key) {
        Node.Entry e = byKey.get(key);
        return e == null ? map.loc() : e.keyLoc();
    }

    public List<Node.Entry> entries() {
        return map.entries();
    }
}
