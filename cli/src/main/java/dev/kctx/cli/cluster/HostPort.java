package dev.kctx.cli.cluster;

/** A node's host and port as the command line gives them: {@code HOST:PORT}, {@code [IPv6]:PORT}, or {@code HOST}. */
public record HostPort(String host, int port) {
    public HostPort {
        if (host.isEmpty()) {
            throw new IllegalArgumentException("no host");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not between 0 and 65535");
        }
    }

    /**
     * Parses {@code text}; {@code defaultPort} when it names no port (-1: a port is required).
     *
     * @throws IllegalArgumentException with the reason, for the command's error message
     */
    public static HostPort parse(String text, int defaultPort) {
        String host = text;
        String port = null;
        if (text.startsWith("[")) {
            int end = text.indexOf(']');
            if (end < 0) {
                throw new IllegalArgumentException("'" + text + "' has no closing ']'");
            }
            host = text.substring(1, end);
            if (end + 1 < text.length()) {
                if (text.charAt(end + 1) != ':') {
                    throw new IllegalArgumentException("'" + text + "': expected ':PORT' after ']'");
                }
                port = text.substring(end + 2);
            }
        } else if (text.indexOf(':') >= 0) {
            if (text.indexOf(':') != text.lastIndexOf(':')) {
                throw new IllegalArgumentException("'" + text + "': write an IPv6 address as [ADDRESS]:PORT");
            }
            host = text.substring(0, text.indexOf(':'));
            port = text.substring(text.indexOf(':') + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' names no host");
        }
        if (port == null) {
            if (defaultPort < 0) {
                throw new IllegalArgumentException("'" + text + "' names no port; expected HOST:PORT");
            }
            return new HostPort(host, defaultPort);
        }
        try {
            return new HostPort(host, Integer.parseInt(port));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': the port '" + port + "' is not a number");
        }
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
