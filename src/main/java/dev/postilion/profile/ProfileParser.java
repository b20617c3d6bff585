package dev.postilion.profile;

import dev.postilion.profile.ProfileDefinition.Definition;
import dev.postilion.profile.ProfileDefinition.Setting;
import dev.postilion.text.Spelling;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the YAML node tree of a profiles file into profile definitions, checking everything that
 * does not depend on the environment: tags, duplicate keys, known keys, value types, secret
 * sources, {@code extends} targets and cycles, and {@code default}. (Whether the file may hold the
 * secrets written in it is {@link ProfileLoader}'s check: file safety, not grammar.)
 */
final class ProfileParser {

    /** The keys a profile may hold, in the order the docs list them. */
    static final List<String> KEYS = List.of("host", "port", "tls", "tls_ca", "insecure", "auth", "username",
            "password", "token", "from", "helo", "timeout", "pipelining", "max_recipients", "extends");

    private static final List<String> TOP_KEYS = List.of("default", "profiles");
    private static final List<String> SOURCES = List.of("env", "file", "command", "prompt");
    private static final Set<Tag> PLAIN_TAGS = Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL,
            Tag.TIMESTAMP, Tag.MAP, Tag.SEQ);
    private static final Pattern PROFILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final Path file;
    private final YamlText text;
    private final SecretRequest.SecretRuntime runtime;
    private final Duration commandTimeout;
    /** Each profile's first secret written in the file itself, for the owner-only check. */
    private final Map<String, Setting> literals = new LinkedHashMap<>();

    ProfileParser(Path file, YamlText text, SecretRequest.SecretRuntime runtime, Duration commandTimeout) {
        this.file = file;
        this.text = text;
        this.runtime = runtime;
        this.commandTimeout = commandTimeout;
    }

    /**
     * Each profile's first secret written in the file itself (not taken from a source), in file
     * order, once {@link #parse} has run: such a file must be readable by its owner only.
     */
    List<Setting> writtenSecrets() {
        return List.copyOf(literals.values());
    }

    ProfileFile parse(Node root) {
        Map<String, Definition> definitions = new LinkedHashMap<>();
        if (root == null || isNull(root)) {
            return new ProfileFile(file, definitions, null, runtime);
        }
        inspect(root, Collections.newSetFromMap(new IdentityHashMap<>()));
        if (!(root instanceof MappingNode top)) {
            throw ProfileException.at(at(root), "the file must be a mapping with profiles: (and optionally default:),"
                    + " not " + kind(root));
        }
        String defaultName = null;
        ProfileLocation defaultLocation = null;
        MappingNode profiles = null;
        for (NodeTuple tuple : top.getValue()) {
            String key = keyText(tuple);
            Node value = tuple.getValueNode();
            ProfileLocation location = at(tuple.getKeyNode());
            switch (key) {
                case "default" -> {
                    if (!(value instanceof ScalarNode scalar) || isNull(value)) {
                        throw ProfileException.at(location, "default must name a profile");
                    }
                    defaultName = scalar.getValue();
                    defaultLocation = location;
                }
                case "profiles" -> {
                    if (value instanceof MappingNode mapping) {
                        profiles = mapping;
                    } else if (!isNull(value)) {
                        throw ProfileException.at(location, "profiles must be a mapping of profile names"
                                + " to their settings, not " + kind(value));
                    }
                }
                default -> throw ProfileException.at(location, "unknown top-level key '" + key + "'"
                        + Spelling.nearest(key, TOP_KEYS).map(w -> " (did you mean '" + w + "'?)")
                        .orElse(" (the top level holds only default: and profiles:; profiles go under profiles:)"));
            }
        }
        if (profiles != null) {
            for (NodeTuple tuple : profiles.getValue()) {
                Definition definition = definition(keyText(tuple), tuple.getKeyNode(), tuple.getValueNode());
                definitions.put(definition.name(), definition);
            }
        }
        checkExtends(definitions);
        if (defaultName != null && !definitions.containsKey(defaultName)) {
            throw ProfileException.at(defaultLocation, "default: " + ProfileFile.noSuchProfile(defaultName,
                    definitions.keySet()));
        }
        return new ProfileFile(file, definitions, defaultName, runtime);
    }

    // ---- the whole tree: tags, keys, duplicates ----

    /** Walks every node once (aliases may share nodes, or loop). */
    private void inspect(Node node, Set<Node> seen) {
        if (!seen.add(node)) {
            return;
        }
        checkTag(node);
        if (node instanceof MappingNode mapping) {
            Map<String, Integer> firstLines = new HashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                Node key = tuple.getKeyNode();
                if (key.getTag().equals(Tag.MERGE)) {
                    throw ProfileException.at(at(key), "merge keys (<<) are not supported; share settings with extends:");
                }
                checkTag(key);
                if (!(key instanceof ScalarNode scalar) || isNull(key)) {
                    throw ProfileException.at(at(key), "a key must be plain text, not " + kind(key));
                }
                Integer first = firstLines.putIfAbsent(scalar.getValue(), at(key).line());
                if (first != null) {
                    throw ProfileException.at(at(key), "duplicate key '" + ProfileValues.shown(scalar.getValue())
                            + "' (first written at line " + first + ")");
                }
                inspect(tuple.getValueNode(), seen);
            }
        } else if (node instanceof SequenceNode sequence) {
            for (Node child : sequence.getValue()) {
                inspect(child, seen);
            }
        }
    }

    private void checkTag(Node node) {
        if (!PLAIN_TAGS.contains(node.getTag())) {
            ProfileLocation location = at(node);
            if (text.holdsSecret(location.line())) {
                throw ProfileException.at(location, "a YAML tag is not allowed here (quote a value that starts with !)");
            }
            throw ProfileException.at(location, "tag " + YamlText.tagName(node.getTag())
                    + " is not allowed: a profiles file holds plain values only");
        }
    }

    // ---- one profile ----

    private Definition definition(String name, Node keyNode, Node value) {
        ProfileLocation location = at(keyNode);
        if (!PROFILE_NAME.matcher(name).matches()) {
            throw ProfileException.at(location, "profile name '" + ProfileValues.shown(name)
                    + "' must start with a letter or digit and hold only letters, digits, '.', '_' and '-'");
        }
        if (!(value instanceof MappingNode mapping)) {
            throw ProfileException.at(location, name, "a profile must be a mapping of settings (host: ..., port: ...),"
                    + " not " + kind(value));
        }
        List<String> parents = List.of();
        ProfileLocation extendsLocation = null;
        Map<String, Setting> settings = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String key = keyText(tuple);
            ProfileLocation keyLocation = at(tuple.getKeyNode());
            if (!KEYS.contains(key)) {
                throw ProfileException.at(keyLocation, name, "unknown key '" + ProfileValues.shown(key) + "'"
                        + Spelling.nearest(key, KEYS).map(w -> " (did you mean '" + w + "'?)")
                        .orElse(" (valid keys: " + String.join(", ", KEYS) + ")"));
            }
            Node node = tuple.getValueNode();
            if (key.equals("extends")) {
                parents = parents(name, keyLocation, node);
                extendsLocation = keyLocation;
            } else {
                settings.put(key, setting(name, key, keyLocation, node));
            }
        }
        return new Definition(name, location, parents, extendsLocation, settings);
    }

    private List<String> parents(String profile, ProfileLocation location, Node node) {
        List<String> names = new ArrayList<>();
        if (node instanceof ScalarNode scalar && !isNull(node)) {
            names.add(scalar.getValue());
        } else if (node instanceof SequenceNode sequence) {
            for (Node item : sequence.getValue()) {
                if (!(item instanceof ScalarNode scalar) || isNull(item)) {
                    throw ProfileException.at(at(item), profile, "extends must list profile names");
                }
                names.add(scalar.getValue());
            }
        } else {
            throw ProfileException.at(location, profile, "extends must be a profile name or a list of names");
        }
        return List.copyOf(names);
    }

    private Setting setting(String profile, String key, ProfileLocation location, Node node) {
        if (isNull(node)) {
            return new Setting(key, null, null, location, profile);
        }
        if (key.equals("password") || key.equals("token")) {
            Setting setting = new Setting(key, null, secret(profile, key, location, node), location, profile);
            if (node instanceof ScalarNode) {
                literals.putIfAbsent(profile, setting);
            }
            return setting;
        }
        if (!(node instanceof ScalarNode scalar)) {
            throw ProfileException.at(location, profile, key + " must be a single value, not " + kind(node));
        }
        String value = scalar.getValue();
        if (ProfileValues.hasControlBreak(value)) {
            throw ProfileException.at(location, profile, key + " contains a CR, LF or NUL character"
                    + " (refused: it could inject SMTP commands or headers)");
        }
        if (!EnvExpansion.hasReference(value) && !value.isBlank()) {
            try {
                ProfileFile.convert(key, value, runtime);
            } catch (IllegalArgumentException e) {
                throw ProfileException.at(location, profile, e.getMessage());
            }
        }
        return new Setting(key, value, null, location, profile);
    }

    // ---- secrets ----

    private Secret secret(String profile, String key, ProfileLocation location, Node node) {
        SecretSource source;
        if (node instanceof ScalarNode scalar) {
            String value = scalar.getValue();
            if (ProfileValues.hasControlBreak(value)) {
                throw ProfileException.at(location, profile, key + " contains a CR, LF or NUL character (refused)");
            }
            if (value.isEmpty()) {
                throw ProfileException.at(location, profile, key + " is empty");
            }
            source = new SecretSource.Literal(value);
        } else if (node instanceof MappingNode mapping) {
            source = source(profile, key, location, mapping);
        } else {
            throw ProfileException.at(location, profile, key + " must be text or a source such as { env: NAME },"
                    + " not " + kind(node));
        }
        boolean refreshing = key.equals("token") && source instanceof SecretSource.Command;
        return new Secret(source, new SecretRequest(profile, key, location, runtime), refreshing);
    }

    private SecretSource source(String profile, String key, ProfileLocation location, MappingNode mapping) {
        Map<String, ScalarNode> parts = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String part = keyText(tuple);
            ProfileLocation partLocation = at(tuple.getKeyNode());
            if (!SOURCES.contains(part) && !part.equals("timeout")) {
                // The unknown word is not echoed: a mistyped literal could land here.
                throw ProfileException.at(partLocation, profile, key + ": unknown source"
                        + Spelling.nearest(part, SOURCES).map(w -> " (did you mean '" + w + "'?)").orElse("")
                        + "; use one of { env: NAME }, { file: PATH }, { command: \"...\" }, { prompt: true }");
            }
            Node value = tuple.getValueNode();
            if (!(value instanceof ScalarNode scalar) || isNull(value)) {
                throw ProfileException.at(partLocation, profile, key + ": " + part + " needs a single value");
            }
            if (ProfileValues.hasControlBreak(scalar.getValue())) {
                throw ProfileException.at(partLocation, profile, key + ": " + part
                        + " contains a CR, LF or NUL character (refused)");
            }
            parts.put(part, scalar);
        }
        List<String> given = parts.keySet().stream().filter(SOURCES::contains).toList();
        if (given.isEmpty()) {
            throw ProfileException.at(location, profile, key + " needs a source: { env: NAME }, { file: PATH },"
                    + " { command: \"...\" } or { prompt: true }");
        }
        if (given.size() > 1) {
            throw ProfileException.at(location, profile, key + " has more than one source ("
                    + String.join(", ", given) + "); keep one");
        }
        String kind = given.get(0);
        ScalarNode value = parts.get(kind);
        ProfileLocation valueLocation = at(value);
        Duration timeout = commandTimeout;
        if (parts.containsKey("timeout")) {
            if (!kind.equals("command")) {
                throw ProfileException.at(at(parts.get("timeout")), profile, key
                        + ": timeout applies only to { command: ... }");
            }
            try {
                timeout = ProfileValues.duration("timeout", parts.get("timeout").getValue());
            } catch (IllegalArgumentException e) {
                throw ProfileException.at(at(parts.get("timeout")), profile, key + ": " + e.getMessage());
            }
        }
        String text = value.getValue();
        return switch (kind) {
            case "env" -> {
                if (!ENV_NAME.matcher(text).matches()) {
                    throw ProfileException.at(valueLocation, profile, key
                            + ": env must name an environment variable (letters, digits and _)");
                }
                yield new SecretSource.Env(text);
            }
            case "file" -> {
                if (text.isBlank()) {
                    throw ProfileException.at(valueLocation, profile, key + ": file needs a path");
                }
                yield new SecretSource.FileSecret(text);
            }
            case "command" -> {
                if (text.isBlank()) {
                    throw ProfileException.at(valueLocation, profile, key + ": command needs a command line");
                }
                yield new SecretSource.Command(text, timeout);
            }
            default -> {
                boolean on;
                try {
                    on = ProfileValues.bool("prompt", text);
                } catch (IllegalArgumentException e) {
                    on = false;
                }
                if (!on) {
                    throw ProfileException.at(valueLocation, profile, key + ": prompt must be true");
                }
                yield new SecretSource.Prompt();
            }
        };
    }

    // ---- extends ----

    private static void checkExtends(Map<String, Definition> definitions) {
        for (Definition definition : definitions.values()) {
            for (String parent : definition.parents()) {
                if (!definitions.containsKey(parent)) {
                    throw ProfileException.at(definition.extendsLocation(), definition.name(),
                            "extends: " + ProfileFile.noSuchProfile(parent, definitions.keySet()));
                }
            }
        }
        Map<String, Boolean> done = new HashMap<>();
        for (String name : definitions.keySet()) {
            findCycle(name, definitions, done, new ArrayList<>());
        }
    }

    private static void findCycle(String name, Map<String, Definition> definitions, Map<String, Boolean> done,
            List<String> path) {
        if (Boolean.TRUE.equals(done.get(name))) {
            return;
        }
        path.add(name);
        Definition definition = definitions.get(name);
        for (String parent : definition.parents()) {
            int start = path.indexOf(parent);
            if (start >= 0) {
                List<String> cycle = new ArrayList<>(path.subList(start, path.size()));
                cycle.add(parent);
                throw ProfileException.at(definition.extendsLocation(), name,
                        "extends cycle: " + String.join(" -> ", cycle));
            }
            findCycle(parent, definitions, done, path);
        }
        path.remove(path.size() - 1);
        done.put(name, true);
    }

    // ---- small helpers ----

    private String keyText(NodeTuple tuple) {
        return ((ScalarNode) tuple.getKeyNode()).getValue();
    }

    private ProfileLocation at(Node node) {
        return new ProfileLocation(file, node.getStartMark().getLine() + 1);
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
    }

    private static String kind(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        return isNull(node) ? "empty" : "a single value";
    }
}
