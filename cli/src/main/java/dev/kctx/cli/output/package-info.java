/**
 * What a scenario run produces: the report (text, JSON, and one HTML page with everything), the
 * trace in trace-cmd's trace.dat format, and the timeline derived from the trace records, rendered
 * as Chrome trace-event JSON for Perfetto and as an SVG picture.
 */
package dev.kctx.cli.output;
