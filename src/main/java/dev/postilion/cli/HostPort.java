package dev.postilion.cli;

/** {@code host}, {@code host:port} or {@code [v6]:port}, as swaks's --server takes it. */
record HostPort(String host, int port) {

    static HostPort parse(String text, int defaultPort) {
        String t = text.trim();
        String host = t;
        String port = null;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + text + "': missing ']' after an IPv6 address");
            }
            host = t.substring(1, close);
            if (t.length() > close + 1) {
                if (t.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("'" + text + "': write [address]:port");
                }
                port = t.substring(close + 2);
            }
        } else if (t.indexOf(':') >= 0 && t.indexOf(':') == t.lastIndexOf(':')) {
            host = t.substring(0, t.indexOf(':'));
            port = t.substring(t.indexOf(':') + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "': no host");
        }
        int p = defaultPort;
        if (port != null) {
            try {
                p = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "': port '" + port + "' is not a number");
            }
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("'" + text + "': port " + p + " is outside 1-65535");
            }
        }
        return new HostPort(host, p);
    }
}
