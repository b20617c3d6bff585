package dev.postilion.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.postilion.smtp.Durations;

/**
 * The text of {@code postilion profiles list} and {@code postilion profiles show NAME}. Secrets
 * appear only as their source ({@code password: <env WORK_PASS>}); rendering never reads them.
 */
public final class ProfileDisplay {

    private ProfileDisplay() {
    }

    /**
     * One line per profile (name, host:port, tls, auth, user), the default marked with {@code *},
     * under a header line. A profile that cannot be resolved shows its error instead, so one
     * broken profile does not hide the others.
     */
    public static String list(ProfileFile file) {
        if (file.names().isEmpty()) {
            return "no profiles in " + file.path() + "\n";
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {" ", "NAME", "HOST:PORT", "TLS", "AUTH", "USER"});
        List<String> errors = new ArrayList<>();
        for (String name : file.names()) {
            String mark = file.defaultName().filter(name::equals).isPresent() ? "*" : " ";
            try {
                Profile p = file.get(name);
                rows.add(new String[] {mark, name, hostPort(p), p.tls().word(), p.auth(), orDash(p.username())});
                errors.add(null);
            } catch (ProfileException e) {
                rows.add(new String[] {mark, name});
                errors.add(e.getMessage());
            }
        }
        int[] widths = new int[6];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(pad(row[i], i == widths.length - 1 ? 0 : widths[i])).append(i == 0 ? " " : "  ");
            }
            String error = r == 0 ? null : errors.get(r - 1);
            if (error != null) {
                line.append("error: ").append(error);
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /**
     * Every key of the named profile as resolved (after {@code extends}, {@code ${}} and
     * defaults), one per line in YAML form, each noted with the profile it came from when
     * inherited, or {@code default} when not written. Unset values show as {@code -}.
     *
     * @throws ProfileException as {@link ProfileFile#get(String)} does
     */
    public static String show(ProfileFile file, String name) {
        ProfileFile.Resolution resolution = file.resolve(name);
        Profile p = resolution.profile();
        Map<String, String> origins = resolution.origins();
        ProfileDefinition.Definition definition = file.definition(name);
        StringBuilder out = new StringBuilder("# profile '").append(name).append("' from ").append(p.location());
        if (file.defaultName().filter(name::equals).isPresent()) {
            out.append(" (the default)");
        }
        out.append('\n');
        List<String[]> rows = new ArrayList<>();
        if (!definition.parents().isEmpty()) {
            rows.add(new String[] {"extends", String.join(", ", definition.parents()), ""});
        }
        row(rows, origins, name, "host", p.host());
        row(rows, origins, name, "port", String.valueOf(p.port()));
        row(rows, origins, name, "tls", p.tls().word());
        row(rows, origins, name, "tls_ca", p.tlsCa() == null ? null : p.tlsCa().toString());
        row(rows, origins, name, "insecure", String.valueOf(p.insecure()));
        row(rows, origins, name, "auth", p.auth());
        row(rows, origins, name, "username", p.username());
        row(rows, origins, name, "password", p.password() == null ? null : p.password().source());
        row(rows, origins, name, "token", p.token() == null ? null : p.token().source());
        if (p.token() != null && p.token().refreshing()) {
            rows.get(rows.size() - 1)[2] = join(rows.get(rows.size() - 1)[2], "run again for each AUTH");
        }
        row(rows, origins, name, "from", p.from());
        row(rows, origins, name, "helo", p.helo());
        row(rows, origins, name, "timeout", p.timeout() == null ? null : Durations.format(p.timeout()));
        if (p.timeout() == null) {
            rows.get(rows.size() - 1)[2] = "engine defaults (RFC 5321 4.5.3.2)";
        }
        row(rows, origins, name, "pipelining", p.pipelining().word());
        if (p.maxRecipients() > 0) {
            row(rows, origins, name, "max_recipients", String.valueOf(p.maxRecipients()));
        }
        int width = 0;
        for (String[] row : rows) {
            width = Math.max(width, row[0].length() + 2 + row[1].length());
        }
        for (String[] row : rows) {
            String line = row[0] + ": " + row[1];
            if (!row[2].isEmpty()) {
                line = pad(line, width) + "  # " + row[2];
            }
            out.append(line).append('\n');
        }
        return out.toString();
    }

    private static void row(List<String[]> rows, Map<String, String> origins, String name, String key, String value) {
        String origin = origins.get(key);
        String note;
        if (value == null) {
            note = "";
        } else if (origin == null) {
            note = "default";
        } else {
            note = origin.equals(name) ? "" : "from " + origin;
        }
        rows.add(new String[] {key, orDash(value), note});
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : a + "; " + b;
    }

    private static String hostPort(Profile p) {
        String host = p.host().contains(":") ? "[" + p.host() + "]" : p.host();
        return host + ":" + p.port();
    }

    private static String orDash(String value) {
        return value == null ? "-" : value;
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }
}
