package dev.kctx.cli.output;

import dev.kctx.actors.trace.FtraceFormatter;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.cli.scenario.Expect;
import dev.kctx.contexts.Reports;
import dev.kctx.mechanisms.sock.MechanismSnapshot;
import dev.kctx.mechanisms.sock.NetCounters;

import java.util.List;
import java.util.TreeSet;

/**
 * One self-contained page per run ({@code report.html}): the summary, each report with its full
 * kernel text, the expectations, the console, the per-CPU, latency and task tables, the
 * mechanisms' counters, the kernel log, the timeline (the SVG of {@link SvgTimeline}, inline, with
 * zoom), and the trace as a table filtered by CPU, task, event and text.
 *
 * <p>Nothing is fetched: styles and the one script are inline, and the page's Content-Security-Policy
 * forbids any other source. The script records uncaught errors in the root element's
 * {@code data-errors} attribute and marks {@code data-ready} when it has run; the filters can also be
 * set from the address ({@code report.html#cpu=1&event=sched_switch}), which sets the controls as a
 * user would. Both serve the browser test.
 */
public final class ReportHtml {
    /** More rows than this and the table keeps the first ones (trace.txt has them all). */
    static final int MAX_ROWS = 50_000;

    private ReportHtml() {
    }

    /** The page for {@code report}, with {@code svg} the timeline (timeline.svg's text) and {@code title} its title. */
    public static String render(RunReport report, String title, String svg) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline';"
                        + " script-src 'unsafe-inline'; img-src data:\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>kctx: ").append(esc(title)).append("</title>\n")
                .append("<script>window.addEventListener('error', function (e) { var d = document.documentElement;"
                        + " d.setAttribute('data-errors', (d.getAttribute('data-errors') || '') + String(e.message) + '\\n'); });"
                        + "</script>\n")
                .append("<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
        h.append("<h1>kctx: ").append(esc(title)).append("</h1>\n");
        h.append("<nav><a href=\"#reports\">reports</a> <a href=\"#expect\">expectations</a> <a href=\"#cpus\">CPUs</a>"
                + " <a href=\"#latency\">latency</a> <a href=\"#timeline\">timeline</a> <a href=\"#trace\">trace</a></nav>\n");
        summary(h, report);
        reports(h, report);
        expectations(h, report);
        if (!report.result().console().isEmpty()) {
            pre(h, "console", "Console", String.join("\n", report.result().console()));
        }
        table(h, "cpus", "Time per CPU and context level", report.cpuTable());
        table(h, "latency", "Latency", report.latencyTable());
        List<MechanismSnapshot> mechs = NetCounters.atEnd(report.result());
        if (!mechs.isEmpty()) {
            StringBuilder m = new StringBuilder();
            mechs.forEach(x -> m.append(x.text()));
            pre(h, "mechanisms", "Mechanisms", m.toString().stripTrailing());
        }
        if (report.taskTable().size() > 1) {
            table(h, "tasks", "Tasks", report.taskTable());
        }
        if (!report.result().dmesg().isEmpty()) {
            pre(h, "dmesg", "Kernel log", String.join("\n", report.result().dmesg()));
        }
        timeline(h, svg);
        trace(h, report.result().trace(), report.result().cpus());
        h.append("<script>\n").append(SCRIPT).append("</script>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void summary(StringBuilder h, RunReport report) {
        boolean passed = report.passed();
        h.append("<section id=\"summary\"><h2>Summary</h2>\n<p class=\"verdict ").append(passed ? "ok" : "fail").append("\">")
                .append(passed ? "passed" : "not passed").append(" (exit code ").append(report.exitCode()).append(")</p>\n");
        h.append("<p>").append(esc(report.summary())).append("</p>\n");
        report.result().failure().ifPresent(f -> h.append("<p class=\"fail\">run failed: ").append(esc(f)).append("</p>\n"));
        report.result().stopped().ifPresent(f -> h.append("<p>stopped early: ").append(esc(f)).append("</p>\n"));
        int distinct = report.groups().size();
        h.append("<p>").append(distinct == 0 ? "no report" : distinct + " distinct report" + (distinct == 1 ? "" : "s") + ", "
                + report.result().reports().size() + " in all").append("</p>\n</section>\n");
    }

    private static void reports(StringBuilder h, RunReport report) {
        h.append("<section id=\"reports\"><h2>Reports</h2>\n");
        if (report.groups().isEmpty()) {
            h.append("<p>none</p>\n");
        }
        int i = 1;
        for (Reports.Group g : report.groups()) {
            h.append("<article class=\"report\" id=\"report-").append(i).append("\"><h3>[").append(i).append("] ")
                    .append(esc(g.first().kind().id())).append(g.count() > 1 ? " (" + g.count() + " times, first shown)" : "")
                    .append("</h3>\n<pre>").append(esc(g.first().kernelText().stripTrailing())).append("</pre></article>\n");
            i++;
        }
        h.append("</section>\n");
    }

    private static void expectations(StringBuilder h, RunReport report) {
        h.append("<section id=\"expect\"><h2>Expectations</h2>\n");
        if (report.outcomes().isEmpty()) {
            h.append("<p>the scenario states none</p>\n");
        } else {
            h.append("<table><thead><tr><th></th><th>expectation</th></tr></thead><tbody>\n");
            for (Expect.Outcome o : report.outcomes()) {
                h.append("<tr class=\"").append(o.met() ? "ok" : "fail").append("\"><td>").append(o.met() ? "ok" : "FAIL")
                        .append("</td><td>").append(esc(o.text())).append("</td></tr>\n");
            }
            h.append("</tbody></table>\n");
        }
        h.append("</section>\n");
    }

    private static void pre(StringBuilder h, String id, String title, String text) {
        h.append("<section id=\"").append(id).append("\"><h2>").append(title).append("</h2>\n<pre>").append(esc(text))
                .append("</pre></section>\n");
    }

    /** A table whose first row is the title row. */
    private static void table(StringBuilder h, String id, String title, List<List<String>> rows) {
        h.append("<section id=\"").append(id).append("\"><h2>").append(title).append("</h2>\n<table class=\"num\"><thead><tr>");
        rows.get(0).forEach(c -> h.append("<th>").append(esc(c)).append("</th>"));
        h.append("</tr></thead><tbody>\n");
        for (List<String> row : rows.subList(1, rows.size())) {
            h.append("<tr>");
            row.forEach(c -> h.append("<td>").append(esc(c)).append("</td>"));
            h.append("</tr>\n");
        }
        h.append("</tbody></table></section>\n");
    }

    private static void timeline(StringBuilder h, String svg) {
        String inline = svg.startsWith("<?xml") ? svg.substring(svg.indexOf("?>") + 2).stripLeading() : svg;
        h.append("<section id=\"timeline\"><h2>Timeline</h2>\n<p class=\"controls\">zoom: <button id=\"zoom-in\">+</button>"
                + " <button id=\"zoom-out\">&minus;</button> <button id=\"zoom-reset\">1:1</button> <span id=\"zoom-level\">100%</span>"
                + " (or Ctrl + wheel; hover a bar for its context and times)</p>\n<div id=\"timeline-view\">")
                .append(inline).append("</div></section>\n");
    }

    private static void trace(StringBuilder h, List<TraceRecord> records, int cpus) {
        List<TraceRecord> merged = FtraceFormatter.merged(records);
        List<TraceRecord> shown = merged.size() > MAX_ROWS ? merged.subList(0, MAX_ROWS) : merged;
        TreeSet<String> tasks = new TreeSet<>();
        TreeSet<String> events = new TreeSet<>();
        for (TraceRecord r : shown) {
            tasks.add(task(r));
            events.add(r.event());
        }
        h.append("<section id=\"trace\"><h2>Trace</h2>\n<p class=\"controls\">")
                .append("<label>CPU <select id=\"f-cpu\"><option value=\"\">all</option>");
        for (int c = 0; c < cpus; c++) {
            h.append("<option>").append(c).append("</option>");
        }
        h.append("</select></label> <label>task <select id=\"f-task\"><option value=\"\">all</option>");
        tasks.forEach(t -> h.append("<option>").append(esc(t)).append("</option>"));
        h.append("</select></label> <label>event <select id=\"f-event\"><option value=\"\">all</option>");
        events.forEach(e -> h.append("<option>").append(esc(e)).append("</option>"));
        h.append("</select></label> <label>text <input id=\"f-text\" type=\"search\" placeholder=\"contains\"></label>"
                + " <span id=\"f-count\"></span></p>\n");
        if (shown.size() < merged.size()) {
            h.append("<p>The first ").append(MAX_ROWS).append(" of ").append(merged.size())
                    .append(" events; trace.txt and trace.dat have them all.</p>\n");
        }
        h.append("<table id=\"trace-table\"><thead><tr><th>time (s)</th><th>CPU</th><th>task-pid</th><th>flags</th>"
                + "<th>event</th><th>fields</th></tr></thead><tbody>\n");
        for (TraceRecord r : shown) {
            h.append("<tr data-cpu=\"").append(r.cpu()).append("\" data-task=\"").append(esc(task(r)))
                    .append("\" data-event=\"").append(esc(r.event())).append("\"><td>")
                    .append(FtraceFormatter.seconds(r.timeNs())).append("</td><td>").append(r.cpu()).append("</td><td>")
                    .append(esc(task(r))).append("</td><td>").append(r.flagsColumn()).append("</td><td>")
                    .append(esc(r.event())).append("</td><td>").append(esc(r.args())).append("</td></tr>\n");
        }
        h.append("</tbody></table></section>\n");
    }

    private static String task(TraceRecord r) {
        return r.comm() + "-" + r.pid();
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private static final String STYLE = """
            body { font-family: DejaVu Sans, Helvetica, Arial, sans-serif; margin: 1.5em; color: #222; }
            h1 { font-size: 1.4em; } h2 { font-size: 1.15em; border-bottom: 1px solid #ccc; margin-top: 1.6em; }
            h3 { font-size: 1em; margin-bottom: 0.3em; }
            nav a { margin-right: 0.8em; }
            pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; font-size: 0.85em; }
            table { border-collapse: collapse; font-size: 0.85em; }
            th, td { border: 1px solid #ddd; padding: 0.15em 0.5em; text-align: left; vertical-align: top; }
            th { background: #eee; }
            table.num td { font-family: DejaVu Sans Mono, monospace; }
            #trace-table td { font-family: DejaVu Sans Mono, monospace; white-space: pre-wrap; }
            #trace-table td:nth-child(-n+5) { white-space: nowrap; }
            #trace-table tr[hidden] { display: none; }
            .ok { color: #1a7f37; } .fail { color: #c62828; font-weight: bold; }
            p.verdict { font-size: 1.1em; font-weight: bold; }
            #timeline-view { overflow: auto; max-height: 80vh; border: 1px solid #ddd; }
            .controls { font-size: 0.9em; }
            """;

    private static final String SCRIPT = """
            (function () {
              var root = document.documentElement;
              var rows = Array.prototype.slice.call(document.querySelectorAll('#trace-table tbody tr'));
              var filters = { cpu: document.getElementById('f-cpu'), task: document.getElementById('f-task'),
                              event: document.getElementById('f-event'), text: document.getElementById('f-text') };
              var count = document.getElementById('f-count');
              function apply() {
                var q = filters.text.value.toLowerCase(), shown = 0;
                rows.forEach(function (r) {
                  var ok = (!filters.cpu.value || r.getAttribute('data-cpu') === filters.cpu.value)
                    && (!filters.task.value || r.getAttribute('data-task') === filters.task.value)
                    && (!filters.event.value || r.getAttribute('data-event') === filters.event.value)
                    && (!q || r.textContent.toLowerCase().indexOf(q) >= 0);
                  r.hidden = !ok;
                  if (ok) { shown++; }
                });
                count.textContent = shown + ' of ' + rows.length + ' events';
                root.setAttribute('data-shown', String(shown));
              }
              filters.cpu.addEventListener('change', apply);
              filters.task.addEventListener('change', apply);
              filters.event.addEventListener('change', apply);
              filters.text.addEventListener('input', apply);
              // #cpu=1&task=app-1000&event=sched_switch&text=lock: sets the controls as a user would.
              function fromAddress() {
                location.hash.slice(1).split('&').forEach(function (kv) {
                  var i = kv.indexOf('='), el = i > 0 ? filters[kv.slice(0, i)] : null;
                  if (el) {
                    el.value = decodeURIComponent(kv.slice(i + 1));
                    el.dispatchEvent(new Event(el === filters.text ? 'input' : 'change'));
                  }
                });
              }
              window.addEventListener('hashchange', fromAddress);

              var view = document.getElementById('timeline-view');
              var svg = view.querySelector('svg');
              var w = parseFloat(svg.getAttribute('width')), h = parseFloat(svg.getAttribute('height')), zoom = 1;
              function setZoom(z) {
                zoom = Math.min(64, Math.max(1, z));
                svg.setAttribute('width', String(w * zoom));
                svg.setAttribute('height', String(h * zoom));
                document.getElementById('zoom-level').textContent = Math.round(zoom * 100) + '%';
                root.setAttribute('data-zoom', String(zoom));
              }
              document.getElementById('zoom-in').addEventListener('click', function () { setZoom(zoom * 2); });
              document.getElementById('zoom-out').addEventListener('click', function () { setZoom(zoom / 2); });
              document.getElementById('zoom-reset').addEventListener('click', function () { setZoom(1); });
              view.addEventListener('wheel', function (e) {
                if (e.ctrlKey) { e.preventDefault(); setZoom(zoom * (e.deltaY < 0 ? 1.25 : 0.8)); }
              }, { passive: false });

              apply();
              fromAddress();
              root.setAttribute('data-ready', '1');
            })();
            """;
}
