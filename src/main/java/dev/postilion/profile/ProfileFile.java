package dev.postilion.profile;

import dev.postilion.profile.ProfileDefinition.Definition;
import dev.postilion.profile.ProfileDefinition.Setting;
import dev.postilion.smtp.TlsMode;
import dev.postilion.text.Spelling;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A loaded profiles file: its profiles by name, and which one is the default. Profiles are
 * resolved when asked for ({@code extends} applied parent-first, {@code ${VAR}} expanded from the
 * environment, defaults filled in), so an environment variable that only one profile uses need
 * not be set to use the others. The secrets are shared: asking twice for a profile gives the same
 * {@link Secret}s, so each is read at most once per run.
 */
public final class ProfileFile {

    /** A resolved profile with, for display, the profile each value came from. */
    record Resolution(Profile profile, Map<String, String> origins) {
    }

    private final Path path;
    private final Map<String, Definition> definitions;
    private final String defaultName;
    private final SecretRequest.SecretRuntime runtime;
    /** Profiles refused when resolved, with why (a loaded-for-display file's mode problems). */
    private Map<String, ProfileException> refused = Map.of();

    ProfileFile(Path path, Map<String, Definition> definitions, String defaultName,
            SecretRequest.SecretRuntime runtime) {
        this.path = path;
        this.definitions = definitions;
        this.defaultName = defaultName;
        this.runtime = runtime;
    }

    /** This file, refusing these profiles (and those that extend them) with their problem when resolved. */
    ProfileFile refusing(Map<String, ProfileException> problems) {
        this.refused = Map.copyOf(problems);
        return this;
    }

    /** The file the profiles were read from, as it was named. */
    public Path path() {
        return path;
    }

    /** The profile names, in the order the file defines them. */
    public List<String> names() {
        return List.copyOf(definitions.keySet());
    }

    /** The name given by the top-level {@code default:} key, if any. */
    public Optional<String> defaultName() {
        return Optional.ofNullable(defaultName);
    }

    /**
     * The named profile, resolved.
     *
     * @throws ProfileException (CONFIG) when there is no such profile (the message lists those
     *     there are), when it lacks a host, when a {@code ${VAR}} it uses is unset, when its
     *     {@code tls_ca} file is missing, or when its auth lacks the credentials it needs
     */
    public Profile get(String name) {
        return resolve(name).profile();
    }

    /**
     * The profile named by {@code default:}.
     *
     * @throws ProfileException (CONFIG) when the file names no default
     */
    public Profile defaultProfile() {
        if (defaultName == null) {
            throw ProfileException.config(path + ": no default profile (add default: NAME at the top of the file,"
                    + " or name a profile)");
        }
        return get(defaultName);
    }

    /** The named profile, or the default one when {@code name} is null. */
    public Profile select(String name) {
        return name == null ? defaultProfile() : get(name);
    }

    Definition definition(String name) {
        Definition definition = definitions.get(name);
        if (definition == null) {
            throw ProfileException.config(path + ": " + noSuchProfile(name, definitions.keySet()));
        }
        return definition;
    }

    /** {@code no profile 'x' (did you mean 'y'?); profiles: a, b}. */
    static String noSuchProfile(String name, Collection<String> names) {
        if (names.isEmpty()) {
            return "no profile '" + ProfileValues.shown(name) + "'; the file defines no profiles";
        }
        return "no profile '" + ProfileValues.shown(name) + "'" + Spelling.didYouMean(name, names)
                + "; profiles: " + String.join(", ", names);
    }

    Resolution resolve(String name) {
        Definition definition = definition(name);
        Map<String, Setting> merged = new LinkedHashMap<>();
        List<Definition> lineage = lineage(definition, new ArrayList<>(), new HashSet<>());
        for (Definition step : lineage) {
            ProfileException problem = refused.get(step.name());
            if (problem != null) {
                throw problem;
            }
        }
        for (Definition step : lineage) {
            for (Setting setting : step.settings().values()) {
                if (setting.unset()) {
                    merged.remove(setting.key());
                } else {
                    merged.put(setting.key(), setting);
                }
            }
        }
        Values values = new Values(merged);
        String host = values.get("host", String.class);
        if (host == null) {
            throw ProfileException.at(definition.location(), name,
                    "missing host (every profile needs host:, its own or through extends)");
        }
        String username = values.get("username", String.class);
        String from = values.get("from", String.class);
        String helo = values.get("helo", String.class);
        Secret password = merged.containsKey("password") ? merged.get("password").secret() : null;
        Secret token = merged.containsKey("token") ? merged.get("token").secret() : null;
        String auth = values.get("auth", String.class);
        if (auth == null) {
            auth = username != null || password != null || token != null ? "auto" : "none";
        }
        Integer port = values.get("port", Integer.class);
        TlsMode tls = values.get("tls", TlsMode.class);
        if (tls == null) {
            tls = Profile.defaultTls(port == null ? 0 : port, auth);
        }
        if (port == null) {
            port = Profile.defaultPort(tls, auth);
        }
        Path tlsCa = values.get("tls_ca", Path.class);
        if (tlsCa != null && !Files.isRegularFile(tlsCa)) {
            Setting setting = merged.get("tls_ca");
            throw ProfileException.at(setting.location(), setting.profile(), "tls_ca file " + tlsCa + " not found");
        }
        Boolean insecure = values.get("insecure", Boolean.class);
        Duration timeout = values.get("timeout", Duration.class);
        Profile.Pipelining pipelining = values.get("pipelining", Profile.Pipelining.class);
        Integer maxRecipients = values.get("max_recipients", Integer.class);
        checkCredentials(definition, auth, username, password, token);
        Profile profile = new Profile(name, host, port, tls, tlsCa, Boolean.TRUE.equals(insecure), auth, username,
                password, token, from, helo, timeout, pipelining == null ? Profile.Pipelining.AUTO : pipelining,
                definition.location(), maxRecipients == null ? 0 : maxRecipients);
        Map<String, String> origins = new LinkedHashMap<>();
        merged.forEach((key, setting) -> origins.put(key, setting.profile()));
        return new Resolution(profile, origins);
    }

    /** The profile and its ancestors, parents first and each once; later ones override earlier ones. */
    private List<Definition> lineage(Definition definition, List<Definition> out, Set<String> seen) {
        for (String parent : definition.parents()) {
            lineage(definitions.get(parent), out, seen);
        }
        if (seen.add(definition.name())) {
            out.add(definition);
        }
        return out;
    }

    private static void checkCredentials(Definition definition, String auth, String username, Secret password,
            Secret token) {
        String problem = switch (auth) {
            case "login", "plain", "cram-md5" -> username == null ? "a username" : password == null ? "a password" : null;
            case "xoauth2" -> username == null ? "a username" : token == null ? "a token" : null;
            case "oauthbearer" -> token == null ? "a token" : null;
            case "auto" -> password == null && token == null ? "a password or a token"
                    : password != null && username == null ? "a username" : null;
            default -> null;
        };
        if (problem != null) {
            throw ProfileException.at(definition.location(), definition.name(), "auth " + auth + " needs " + problem);
        }
    }

    /**
     * The typed form of one non-secret value's text (after {@code ${}} expansion).
     *
     * @throws IllegalArgumentException naming the key and the forms it accepts
     */
    static Object convert(String key, String text, SecretRequest.SecretRuntime runtime) {
        return switch (key) {
            case "host" -> ProfileValues.host(text);
            case "port" -> ProfileValues.port(text);
            case "tls" -> ProfileValues.tls(text);
            case "tls_ca" -> ProfileValues.path(text.trim(), runtime.home(), runtime.baseDir());
            case "insecure" -> ProfileValues.bool(key, text);
            case "auth" -> ProfileValues.auth(text);
            case "timeout" -> ProfileValues.duration(key, text);
            case "pipelining" -> ProfileValues.pipelining(text);
            case "max_recipients" -> ProfileValues.maxRecipients(text);
            default -> text.trim();
        };
    }

    /** Reads merged settings: expands {@code ${}}, refuses CR/LF/NUL, converts, and words errors at their line. */
    private final class Values {
        private final Map<String, Setting> merged;

        Values(Map<String, Setting> merged) {
            this.merged = merged;
        }

        <T> T get(String key, Class<T> type) {
            Setting setting = merged.get(key);
            if (setting == null) {
                return null;
            }
            String text = setting.text();
            Function<String, String> env = runtime.env();
            try {
                text = EnvExpansion.expand(text, env);
            } catch (IllegalArgumentException e) {
                throw ProfileException.at(setting.location(), setting.profile(), key + ": " + e.getMessage());
            }
            if (ProfileValues.hasControlBreak(text)) {
                throw ProfileException.at(setting.location(), setting.profile(), key
                        + " contains a CR, LF or NUL character after ${} expansion"
                        + " (refused: it could inject SMTP commands or headers)");
            }
            if (text.isBlank()) {
                return null;
            }
            try {
                return type.cast(convert(key, text, runtime));
            } catch (IllegalArgumentException e) {
                throw ProfileException.at(setting.location(), setting.profile(), e.getMessage());
            }
        }
    }
}
