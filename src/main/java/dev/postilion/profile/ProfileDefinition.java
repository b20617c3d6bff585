package dev.postilion.profile;

import java.util.List;
import java.util.Map;

/** A profiles file as written, before {@code extends} and {@code ${}} are applied: what the parser hands on. */
final class ProfileDefinition {

    private ProfileDefinition() {
    }

    /** One key's value as written in one profile; {@code text} and {@code secret} both null means "unset". */
    record Setting(String key, String text, Secret secret, ProfileLocation location, String profile) {
        boolean unset() {
            return text == null && secret == null;
        }
    }

    /** One profile as written, before {@code extends} and {@code ${}} are applied. */
    record Definition(String name, ProfileLocation location, List<String> parents, ProfileLocation extendsLocation,
            Map<String, Setting> settings) {
    }
}
