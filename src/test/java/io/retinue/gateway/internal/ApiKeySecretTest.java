package io.retinue.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiKeySecretTest {

    @Test
    void generatedKeysAreRecognisableAndParseBack() {
        ApiKeySecret key = ApiKeySecret.generate();
        assertThat(key.token()).matches("rtn_[A-Za-z0-9]{12}_[A-Za-z0-9]{32}");
        assertThat(ApiKeySecret.parse(key.token())).contains(key);
        assertThat(key.matches(key.digest())).isTrue();
        assertThat(ApiKeySecret.generate().matches(key.digest())).isFalse();
    }

    @Test
    void neverShowsTheSecret() {
        ApiKeySecret key = ApiKeySecret.generate();
        assertThat(key.toString()).contains(key.keyId()).doesNotContain(key.token());
    }

    @Test
    void rejectsOtherForms() {
        assertThat(ApiKeySecret.parse("rtn_short_abc")).isEmpty();
        assertThat(ApiKeySecret.parse("sk-abcdefghijklmnopqrstuvwxyz")).isEmpty();
        assertThat(ApiKeySecret.parse(null)).isEmpty();
    }
}
