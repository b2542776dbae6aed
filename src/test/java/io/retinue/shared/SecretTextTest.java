package io.retinue.shared;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretTextTest {

    @Test
    void valuesNamedAsSecretsAreMaskedAndTheirNamesKept() {
        assertThat(SecretText.masked("log in with password=hunter2 and user=ann"))
            .isEqualTo("log in with password=**** and user=ann");
        assertThat(SecretText.masked("{\"api_key\": \"abc123\", \"name\": \"x\"}"))
            .isEqualTo("{\"api_key\": \"****\", \"name\": \"x\"}");
        assertThat(SecretText.masked("client_secret: s3cr3t\naccess_token='t0k3n'"))
            .isEqualTo("client_secret: ****\naccess_token='****'");
        assertThat(SecretText.masked("Authorization: Bearer abcdefghijklmnop"))
            .isEqualTo("Authorization: Bearer ****");
    }

    @Test
    void wordsThatOnlyLookLikeSecretNamesAreLeft() {
        String text = "{\"max_tokens\": 100, \"input_tokens\": 20, \"token_count\": 3} a secret garden: lovely";
        assertThat(SecretText.masked(text)).isEqualTo(text);
    }

    @Test
    void tokensOfKnownShapesAreMaskedWhereverTheyStand() {
        assertThat(SecretText.masked("my key is sk-proj-abcdefghijklmnopqrstuv, thanks"))
            .isEqualTo("my key is ****, thanks");
        assertThat(SecretText.masked("use rtn_Abc12345_abcdefghijklmnopqrstuvwxyz012345 here"))
            .isEqualTo("use **** here");
        assertThat(SecretText.masked("AKIAABCDEFGHIJKLMNOP and ghp_abcdefghijklmnopqrstuvwxyz0123456789"))
            .isEqualTo("**** and ****");
        assertThat(SecretText.masked("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"))
            .isEqualTo("jwt ****");
    }

    @Test
    void credentialsInUrlsAndPrivateKeysAreMasked() {
        assertThat(SecretText.masked("postgres://app:p4ss@db:5432/x")).isEqualTo("postgres://app:****@db:5432/x");
        assertThat(SecretText.masked("key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----\nend"))
            .isEqualTo("key:\n****\nend");
    }

    @Test
    void plainTextIsLeftAsItIs() {
        assertThat(SecretText.masked("What is the weather in Paris?")).isEqualTo("What is the weather in Paris?");
        assertThat(SecretText.masked(null)).isNull();
    }
}
