package dev.postilion.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class ProfileExceptionTest {

    @Test
    void messageStartsWithFileLineAndProfile() {
        ProfileException e = ProfileException.at(new ProfileLocation(Path.of("profiles.yaml"), 7), "work",
                "unknown key 'hots' (did you mean 'host'?)");
        assertThat(e.getMessage()).isEqualTo("profiles.yaml:7: profile 'work': unknown key 'hots' (did you mean 'host'?)");
        assertThat(e.kind()).isEqualTo(ProfileException.Kind.CONFIG);
    }
}
