package dev.kctx.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A command's manual page in man(7) troff, made from its picocli model (names, synopsis, options,
 * parameters, subcommands), so that the pages say what {@code --help} says and cannot drift from
 * it. picocli's own ManPageGenerator (picocli-codegen) writes AsciiDoc, which needs asciidoctor to
 * become a page; this writes the page itself.
 */
final class ManPage {
    private ManPage() {
    }

    /** The page's file name: kctx.1, kctx-run.1, ... */
    static String fileName(CommandSpec spec) {
        return spec.qualifiedName("-") + ".1";
    }

    /** Every command of the tree under {@code root}, root first, in declaration order; hidden ones left out. */
    static List<CommandSpec> all(CommandSpec root) {
        List<CommandSpec> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    private static void collect(CommandSpec spec, List<CommandSpec> out) {
        out.add(spec);
        for (CommandLine sub : spec.subcommands().values()) {
            CommandSpec s = sub.getCommandSpec();
            if (!s.usageMessage().hidden() && !out.contains(s)) {
                collect(s, out);
            }
        }
    }

    static String render(CommandSpec spec, String version) {
        StringBuilder m = new StringBuilder();
        String name = spec.qualifiedName("-");
        m.append(".TH ").append(quote(name.toUpperCase(Locale.ROOT))).append(" 1 \"\" ").append(quote(version))
                .append(" \"kctx manual\"\n");
        m.append(".SH NAME\n").append(esc(name)).append(" \\- ").append(esc(firstSentence(spec))).append('\n');
        m.append(".SH SYNOPSIS\n.nf\n")
                .append(esc(new CommandLine.Help(spec, CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF))
                        .synopsis(0).stripTrailing()))
                .append("\n.fi\n");
        m.append(".SH DESCRIPTION\n");
        for (String para : spec.usageMessage().description()) {
            m.append(".PP\n").append(esc(para)).append('\n');
        }
        List<PositionalParamSpec> params = spec.positionalParameters().stream().filter(p -> !p.hidden()).toList();
        if (!params.isEmpty()) {
            m.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : params) {
                m.append(".TP\n\\fI").append(esc(p.paramLabel())).append("\\fR\n").append(esc(description(p))).append('\n');
            }
        }
        List<OptionSpec> options = spec.options().stream().filter(o -> !o.hidden()).toList();
        if (!options.isEmpty()) {
            m.append(".SH OPTIONS\n");
            for (OptionSpec o : options) {
                m.append(".TP\n");
                List<String> names = new ArrayList<>();
                for (String n : o.names()) {
                    String shown = o.negatable() && n.startsWith("--") ? "--[no-]" + n.substring(2) : n;
                    names.add("\\fB" + esc(shown) + "\\fR");
                }
                m.append(String.join(", ", names));
                if (o.arity().max() > 0) {
                    m.append("=\\fI").append(esc(o.paramLabel())).append("\\fR");
                }
                m.append('\n').append(esc(description(o))).append('\n');
            }
        }
        List<CommandSpec> subs = spec.subcommands().values().stream().map(CommandLine::getCommandSpec)
                .filter(s -> !s.usageMessage().hidden()).distinct().toList();
        if (!subs.isEmpty()) {
            m.append(".SH COMMANDS\n");
            for (CommandSpec s : subs) {
                m.append(".TP\n\\fB").append(esc(s.name())).append("\\fR\n").append(esc(firstSentence(s)))
                        .append(" See \\fB").append(esc(s.qualifiedName("-"))).append("\\fR(1).\n");
            }
        }
        m.append(".SH SEE ALSO\n");
        List<String> see = new ArrayList<>();
        if (spec.parent() != null) {
            see.add("\\fB" + esc(spec.parent().qualifiedName("-")) + "\\fR(1)");
        }
        subs.forEach(s -> see.add("\\fB" + esc(s.qualifiedName("-")) + "\\fR(1)"));
        see.add("README.md and docs/ in the kctx sources");
        m.append(String.join(", ", see)).append('\n');
        return m.toString();
    }

    /** The description with picocli's variables filled in, as --help shows it. */
    private static String description(ArgSpec a) {
        String d = String.join(" ", a.description());
        String def = a.defaultValue() == null ? "" : a.defaultValue();
        d = d.replace("${DEFAULT-VALUE}", def);
        if (a.completionCandidates() != null) {
            List<String> c = new ArrayList<>();
            a.completionCandidates().forEach(c::add);
            d = d.replace("${COMPLETION-CANDIDATES}", String.join(", ", c));
        }
        return d;
    }

    private static String firstSentence(CommandSpec spec) {
        String[] d = spec.usageMessage().description();
        if (d.length == 0) {
            return spec.name();
        }
        String first = d[0];
        int dot = first.indexOf(". ");
        return dot > 0 ? first.substring(0, dot + 1) : first;
    }

    private static String quote(String s) {
        return "\"" + esc(s).replace("\"", "\\(dq") + "\"";
    }

    /** Text for troff: backslashes escaped, hyphens as minus signs, no line taken for a request. */
    static String esc(String s) {
        String e = s.replace("\\", "\\e").replace("-", "\\-");
        StringBuilder out = new StringBuilder();
        for (String line : e.split("\n", -1)) {
            if (out.length() > 0) {
                out.append('\n');
            }
            if (line.startsWith(".") || line.startsWith("'")) {
                out.append("\\&");
            }
            out.append(line);
        }
        return out.toString();
    }
}
