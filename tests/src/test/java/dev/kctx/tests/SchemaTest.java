package dev.kctx.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.kctx.actors.program.KernelObjects.LockType;
import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.cli.scenario.BodyKind;
import dev.kctx.cli.scenario.Expect;
import dev.kctx.cli.scenario.GenetlinkSection;
import dev.kctx.cli.scenario.IoctlSection;
import dev.kctx.cli.scenario.ModulesSection;
import dev.kctx.cli.scenario.NetlinkSection;
import dev.kctx.cli.scenario.OpRegistry;
import dev.kctx.cli.scenario.ScenarioLoader;
import dev.kctx.cli.scenario.UpcallSection;
import dev.kctx.contexts.ReportKind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/scenario.schema.json describes the format the loader reads: the same sections, operations,
 * vectors, kinds and bounds, and it accepts every example. A small validator for the subset of
 * JSON Schema 2020-12 the file uses stands in for an editor.
 */
@DisplayName("The scenario JSON Schema")
class SchemaTest {
    static final Path SCHEMA = Path.of("..", "docs", "scenario.schema.json");
    static JsonNode schema;

    @BeforeAll
    static void load() throws IOException {
        schema = new ObjectMapper().readTree(SCHEMA.toFile());
    }

    static Set<String> keys(JsonNode n) {
        Set<String> s = new LinkedHashSet<>();
        n.fieldNames().forEachRemaining(s::add);
        return s;
    }

    static Set<String> ops(String def) {
        Set<String> s = new LinkedHashSet<>();
        for (JsonNode alt : schema.at("/$defs/" + def + "/oneOf")) {
            if (alt.has("enum")) {
                alt.get("enum").forEach(e -> s.add(e.asText()));
            } else {
                s.addAll(keys(alt.get("properties")));
            }
        }
        return s;
    }

    static Set<String> texts(JsonNode array) {
        Set<String> s = new LinkedHashSet<>();
        array.forEach(e -> s.add(e.asText()));
        return s;
    }

    @Test
    @DisplayName("names the loader's sections, operations, vectors, lock types, report kinds and bounds")
    void consistent() {
        assertEquals(Set.copyOf(ScenarioLoader.SECTIONS), keys(schema.get("properties")));
        OpRegistry r = OpRegistry.standard();
        assertEquals(Set.copyOf(r.namesFor(BodyKind.HARDIRQ)), ops("kernelOp"), "kernel operations");
        assertEquals(Set.copyOf(r.namesFor(BodyKind.SYSCALL)), ops("kernelOp"), "system call bodies take kernel operations");
        assertEquals(Set.copyOf(r.namesFor(BodyKind.USER)), ops("userOp"), "user-mode operations");
        assertEquals(Arrays.stream(SoftirqVector.values()).map(Enum::name).collect(java.util.stream.Collectors.toSet()),
                texts(schema.at("/$defs/vector/enum")));
        assertEquals(Arrays.stream(LockType.values()).map(t -> t.name().toLowerCase(Locale.ROOT))
                .collect(java.util.stream.Collectors.toSet()), texts(schema.at("/properties/locks/additionalProperties/oneOf/0/enum")));
        assertEquals(Set.copyOf(ScenarioLoader.MACHINE_KEYS), keys(schema.at("/properties/machine/properties")), "machine keys");
        assertEquals(Arrays.stream(ReportKind.values()).map(ReportKind::id).collect(java.util.stream.Collectors.toSet()),
                texts(schema.at("/properties/expect/properties/reports/propertyNames/enum")));
        Set<String> expect = new LinkedHashSet<>(List.of("clean", "reports"));
        expect.addAll(Expect.boundKeys().keySet());
        expect.add("console_contains");
        expect.add("dmesg_contains");
        expect.add("mechanisms");
        expect.add("counters");
        expect.add("tasks");
        assertEquals(expect, keys(schema.at("/properties/expect/properties")));
        assertEquals(Set.copyOf(Expect.TASK_KEYS), keys(schema.at("/properties/expect/properties/tasks/additionalProperties/properties")),
                "a task expectation's keys");
        assertEquals(Expect.TASK_STATES.chars().mapToObj(c -> String.valueOf((char) c)).collect(java.util.stream.Collectors.toSet()),
                texts(schema.at("/properties/expect/properties/tasks/additionalProperties/properties/state/enum")), "task states");
        assertEquals(Set.copyOf(dev.kctx.cli.scenario.KillOp.KEYS), keys(userOp("kill")), "the kill operation's keys");
        assertEquals(Set.copyOf(dev.kctx.cli.scenario.SigactionOp.KEYS), keys(userOp("sigaction")), "the sigaction operation's keys");
        assertEquals(Set.copyOf(Expect.MECHANISMS), texts(schema.at("/properties/expect/properties/mechanisms/propertyNames/enum")));
        assertEquals(Set.copyOf(Expect.COUNTERS), keys(schema.at("/properties/expect/properties/mechanisms/additionalProperties/properties")));
        assertEquals(Set.copyOf(dev.kctx.actors.program.KernelObjects.COUNTERS),
                texts(schema.at("/properties/expect/properties/counters/propertyNames/enum")), "the engine counters an expectation may name");
        assertEquals(Set.copyOf(dev.kctx.cli.scenario.FaultsSection.KEYS), keys(schema.at("/properties/faults/properties")), "faults keys");
        assertEquals(Set.copyOf(dev.kctx.cli.scenario.PerturbSection.KEYS), keys(schema.at("/properties/perturb/properties")), "perturb keys");
        // the modules section: a declared module's keys and choices, and the built-in modules
        JsonNode declared = schema.at("/$defs/module/oneOf/0/properties");
        assertEquals(Set.copyOf(ModulesSection.MODULE_KEYS), keys(declared), "declared module keys");
        assertEquals(Set.copyOf(ModulesSection.BUILTINS.keySet()), texts(schema.at("/$defs/module/oneOf/1/properties/builtin/enum")));
        assertEquals(Arrays.stream(dev.kctx.mechanisms.module.ParamType.values()).map(t -> t.name().toLowerCase(Locale.ROOT))
                .collect(java.util.stream.Collectors.toSet()), texts(declared.at("/params/additionalProperties/properties/type/enum")));
        assertEquals(Set.copyOf(ModulesSection.PARAM_KEYS), keys(declared.at("/params/additionalProperties/properties")));
        assertEquals(Set.copyOf(ModulesSection.PROC_KEYS), keys(declared.at("/proc/items/properties")));
        assertEquals(Set.copyOf(ModulesSection.SYSFS_KEYS), keys(declared.at("/sysfs/properties")));
        assertEquals(Set.copyOf(ModulesSection.SYSFS_ATTR_KEYS), keys(declared.at("/sysfs/properties/attributes/items/properties")));
        assertEquals(Set.copyOf(ModulesSection.DEBUGFS_KEYS), keys(declared.at("/debugfs/properties")));
        assertEquals(Set.copyOf(ModulesSection.DEBUGFS_FILE_KEYS), keys(declared.at("/debugfs/properties/files/items/properties")));
        assertEquals(Set.copyOf(ModulesSection.DEBUGFS_TYPES), texts(declared.at("/debugfs/properties/files/items/properties/type/enum")));
        assertEquals(Set.copyOf(ModulesSection.CONFIGFS_KEYS), keys(declared.at("/configfs/properties")));
        assertEquals(Set.copyOf(ModulesSection.SYSCTL_KEYS), keys(declared.at("/sysctl/items/properties")));
        assertEquals(Set.copyOf(ModulesSection.SYSCTL_TYPES), texts(declared.at("/sysctl/items/properties/type/enum")));
        assertEquals(Set.copyOf(ModulesSection.CHARDEV_KEYS), keys(declared.at("/chardev/properties")));
        assertEquals(Set.copyOf(IoctlSection.COMMAND_KEYS), keys(declared.at("/chardev/properties/ioctl/items/properties")));
        assertEquals(Arrays.stream(dev.kctx.mechanisms.Errno.values()).map(Enum::name).collect(java.util.stream.Collectors.toSet()),
                texts(declared.at("/chardev/properties/ioctl/items/properties/errno/enum")));
        assertEquals(Set.copyOf(UpcallSection.HELPER_KEYS), keys(declared.at("/helpers/items/properties")));
        assertEquals(Set.copyOf(IoctlSection.OP_KEYS), keys(userOp("ioctl")), "the ioctl operation's keys");
        assertEquals(Set.copyOf(UpcallSection.OP_KEYS), keys(kernelOp("call_usermodehelper")), "call_usermodehelper's keys");
        assertEquals(Set.copyOf(NetlinkSection.FAMILY_KEYS), keys(declared.at("/netlink/items/properties")));
        assertEquals(Set.copyOf(NetlinkSection.INPUT_KEYS), keys(declared.at("/netlink/items/properties/input/properties")));
        assertEquals(Arrays.stream(dev.kctx.mechanisms.Cred.Cap.values()).map(Enum::name).collect(java.util.stream.Collectors.toSet()),
                texts(declared.at("/netlink/items/properties/input/properties/capable/enum")));
        assertEquals(Set.copyOf(NetlinkSection.OP_KEYS), keys(userOp("netlink")), "the netlink operation's keys");
        assertEquals(Set.copyOf(dev.kctx.cli.scenario.NetlinkSendOps.UNICAST_KEYS), keys(kernelOp("netlink_unicast")),
                "netlink_unicast's keys");
        for (String call : List.of("netlink_broadcast", "nlmsg_multicast")) {
            assertEquals(Set.copyOf(dev.kctx.cli.scenario.NetlinkSendOps.BROADCAST_KEYS), keys(kernelOp(call)), call + "'s keys");
        }
        assertEquals(Set.copyOf(dev.kctx.cli.scenario.NetlinkSendOps.GENL_UNICAST_KEYS), keys(kernelOp("genlmsg_unicast")));
        assertEquals(Set.copyOf(dev.kctx.cli.scenario.NetlinkSendOps.GENL_MULTICAST_KEYS), keys(kernelOp("genlmsg_multicast")));
        assertEquals(Set.copyOf(GenetlinkSection.FAMILY_KEYS), keys(declared.at("/genetlink/items/properties")));
        assertEquals(Set.copyOf(GenetlinkSection.ATTR_KEYS), keys(declared.at("/genetlink/items/properties/attributes/items/properties")));
        assertEquals(Arrays.stream(dev.kctx.mechanisms.netlink.NlaPolicy.Type.values()).map(t -> t.name().toLowerCase(Locale.ROOT))
                .collect(java.util.stream.Collectors.toSet()), texts(declared.at("/genetlink/items/properties/attributes/items/properties/policy/enum")));
        assertEquals(Set.copyOf(GenetlinkSection.OPERATION_KEYS), keys(declared.at("/genetlink/items/properties/ops/items/properties")));
        assertEquals(Set.copyOf(GenetlinkSection.OP_KEYS), keys(userOp("genetlink")), "the genetlink operation's keys");
        assertEquals(Set.copyOf(GenetlinkSection.ATTR_VALUE_KEYS), keys(userOp("genetlink").at("/attrs/items/properties")));
    }

    static JsonNode userOp(String name) {
        return opSchema("userOp", name);
    }

    static JsonNode kernelOp(String name) {
        return opSchema("kernelOp", name);
    }

    private static JsonNode opSchema(String def, String name) {
        for (JsonNode alt : schema.at("/$defs/" + def + "/oneOf")) {
            if (alt.has("properties") && alt.get("properties").has(name)) {
                return alt.get("properties").get(name).get("properties");
            }
        }
        throw new AssertionError(def + " has no " + name);
    }

    static Stream<Path> examples() throws IOException {
        return ExamplesTest.examples();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    @DisplayName("accepts every example")
    void examplesValidate(Path example) throws IOException {
        JsonNode doc = new YAMLMapper().readTree(example.toFile());
        List<String> errors = new ArrayList<>();
        validate(doc, schema, "", errors);
        assertEquals(List.of(), errors, example.toString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"kthreads: [{name: w, body: [spin_lok: L]}]", "machine: {cpus: two}",
            "machine: {cpu: 2}", "softirqs: {NET_RXX: [compute: 1us]}", "processes: [{name: p, body: [msleep: 1ms]}]",
            "kthreads: [{name: w, body: [msleep: -5us]}]", "irqs: [{name: n, arrivals: {every: 1ms}, handler: [schedule]}]",
            "expect: {reports: {sleep-in-atomik: 1}}", "kthreads: [{name: w, body: [{msleep: 1ms, compute: 1us}]}]",
            "kthreads: [{name: w, body: [{spin_trylock: {lock: L}}]}]", "locks: {S: {semaphore: -1}}",
            "locks: {S: {mutex: 1}}", "machine: {watchdog_thresh: 5}", "kthreads: [{name: w, body: [{alloc_skb: GFP_NOWAIT}]}]",
            "kthreads: [{name: w, body: [{usleep_range: 5us}]}]", "kthreads: [{name: w, body: [read_lock]}]",
            "modules: [{name: m, sysfs: {dir: d, attributes: [{name: a, mode: \"644\"}]}}]",
            "modules: [{name: m, debugfs: {dir: d, files: [{name: f, type: u64}]}}]", "modules: [{builtin: cdev_exampel}]",
            "modules: [{name: m, builtin: cdev_example}]", "modules: [{name: m, params: {p: {type: float}}}]",
            "modules: [{name: m, sysctl: [{path: t, type: int}]}]", "processes: [{name: p, body: [{sh: [cat]}]}]",
            "expect: {console_contains: hello}",
            "processes: [{name: p, body: [{syscall: {name: read, body: [{down_interruptible: {semaphore: S, on_intr: []}}]}}]}]",
            "kthreads: [{name: w, body: [{mutex_lock_killable: {on_interrupt: [{mutex_unlock: M}]}}]}]"})
    @DisplayName("rejects what the loader rejects for its shape")
    void rejects(String yaml) throws IOException {
        List<String> errors = new ArrayList<>();
        validate(new YAMLMapper().readTree(yaml), schema, "", errors);
        assertFalse(errors.isEmpty(), "the schema rejects: " + yaml);
    }

    // ---- a validator for the subset of JSON Schema the file uses ----

    static void validate(JsonNode v, JsonNode s, String at, List<String> errors) {
        if (s.has("$ref")) {
            validate(v, schema.at(s.get("$ref").asText().substring(1)), at, errors);
        }
        if (s.has("type") && !typeOk(v, s.get("type").asText())) {
            errors.add(at + ": not a " + s.get("type").asText());
            return;
        }
        if (s.has("enum") && !texts(s.get("enum")).contains(v.asText())) {
            errors.add(at + ": " + v + " not in " + s.get("enum"));
        }
        if (s.has("const") && !s.get("const").equals(v)) {
            errors.add(at + ": not " + s.get("const"));
        }
        if (s.has("pattern") && v.isTextual() && !Pattern.compile(s.get("pattern").asText()).matcher(v.asText()).find()) {
            errors.add(at + ": " + v + " does not match " + s.get("pattern"));
        }
        if (s.has("minimum") && v.isNumber() && v.asDouble() < s.get("minimum").asDouble()) {
            errors.add(at + ": below minimum");
        }
        if (s.has("maximum") && v.isNumber() && v.asDouble() > s.get("maximum").asDouble()) {
            errors.add(at + ": above maximum");
        }
        if (s.has("exclusiveMinimum") && v.isNumber() && v.asDouble() <= s.get("exclusiveMinimum").asDouble()) {
            errors.add(at + ": not above exclusiveMinimum");
        }
        if (s.has("minItems") && v.isArray() && v.size() < s.get("minItems").asInt()) {
            errors.add(at + ": too few items");
        }
        if (s.has("items") && v.isArray()) {
            for (int i = 0; i < v.size(); i++) {
                validate(v.get(i), s.get("items"), at + "/" + i, errors);
            }
        }
        if (v.isObject()) {
            for (JsonNode req : s.path("required")) {
                if (!v.has(req.asText())) {
                    errors.add(at + ": missing " + req.asText());
                }
            }
            for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (s.has("propertyNames")) {
                    validate(new ObjectMapper().getNodeFactory().textNode(k), s.get("propertyNames"), at + "/" + k, errors);
                }
                if (s.has("properties") && s.get("properties").has(k)) {
                    validate(v.get(k), s.get("properties").get(k), at + "/" + k, errors);
                } else if (s.has("additionalProperties")) {
                    JsonNode ap = s.get("additionalProperties");
                    if (ap.isBoolean() && !ap.asBoolean()) {
                        errors.add(at + ": unexpected key " + k);
                    } else if (ap.isObject()) {
                        validate(v.get(k), ap, at + "/" + k, errors);
                    }
                }
            }
        }
        if (s.has("oneOf")) {
            int matches = 0;
            for (JsonNode alt : s.get("oneOf")) {
                List<String> e = new ArrayList<>();
                validate(v, alt, at, e);
                if (e.isEmpty()) {
                    matches++;
                }
            }
            if (matches != 1) {
                errors.add(at + ": matches " + matches + " of oneOf");
            }
        }
    }

    static boolean typeOk(JsonNode v, String type) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "integer" -> v.isIntegralNumber();
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            case "null" -> v.isNull();
            default -> false;
        };
    }
}
