/**
 * What a scenario run produces: the report (text and JSON), and the timeline derived from the
 * trace records, rendered as Chrome trace-event JSON for Perfetto and as an SVG picture.
 */
package dev.kctx.cli.output;
