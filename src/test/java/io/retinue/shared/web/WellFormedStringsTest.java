package io.retinue.shared.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WellFormedStringsTest {

    @Test
    void pairedSurrogatesAreTextLoneOnesAndNulAreNot() {
        assertThat(WellFormedStrings.isWellFormed("")).isTrue();
        assertThat(WellFormedStrings.isWellFormed("plain ünïcode 😀 text")).isTrue();
        assertThat(WellFormedStrings.isWellFormed("\ud800")).isFalse();
        assertThat(WellFormedStrings.isWellFormed("a\ud800b")).isFalse();
        assertThat(WellFormedStrings.isWellFormed("\udc00")).isFalse();
        assertThat(WellFormedStrings.isWellFormed("😀\udc00")).isFalse();
        assertThat(WellFormedStrings.isWellFormed("a\u0000b")).isFalse();
    }
}
