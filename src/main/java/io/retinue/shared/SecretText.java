package io.retinue.shared;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Secret-looking values in free text — a prompt, a model's answer, a tool's result — masked as {@code ****} before the
 * text leaves for somewhere it is kept (a trace collector): values named as secrets ({@code password=…},
 * {@code "api_key": "…"}, {@code Authorization: Bearer …}), credentials in URLs, private key blocks, and tokens of the
 * well-known shapes (OpenAI and Anthropic {@code sk-…}, Retinue {@code rtn_…}, AWS access key ids, GitHub, GitLab,
 * Slack, Stripe and Google API keys, JWTs). A net for what is recognisable, not a guarantee: text can hold a secret of
 * no known shape. {@link SecretFields} does the same for JSON by field name.
 */
public final class SecretText {

    private static final String MASK = "****";

    /** Each pattern's first group, when it has one, is kept: it names what the masked value is. */
    private static final List<Pattern> SECRETS = List.of(
            Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?-----END [A-Z ]*PRIVATE KEY-----"),
            Pattern.compile("(?i)(\\b[\\w.-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key"
                    + "|authorization|credential)[\"']?\\s*[:=]\\s*[\"']?(?:(?:bearer|basic|token)\\s+)?)"
                    + "[^\\s\"',;&}\\]]+"),
            Pattern.compile("(?i)(\\b(?:bearer|basic)\\s+)[A-Za-z0-9._~+/=-]{8,}"),
            Pattern.compile("(://[^/\\s:@]+:)[^/\\s@]+(?=@)"),
            Pattern.compile("\\b(?:sk-[A-Za-z0-9_-]{16,}|rtn_[A-Za-z0-9_]{16,}|(?:AKIA|ASIA)[0-9A-Z]{16}"
                    + "|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|glpat-[A-Za-z0-9_-]{20,}"
                    + "|xox[abprs]-[A-Za-z0-9-]{10,}|[rs]k_(?:live|test)_[A-Za-z0-9]{16,}|AIza[0-9A-Za-z_-]{35}"
                    + "|eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,})"));

    private SecretText() {
    }

    /** {@code text} with its secret-looking values replaced by {@code ****}; null stays null. */
    public static String masked(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String masked = text;
        for (Pattern secret : SECRETS) {
            Matcher matcher = secret.matcher(masked);
            if (matcher.find()) {
                StringBuilder out = new StringBuilder(masked.length());
                do {
                    String kept = matcher.groupCount() > 0 && matcher.group(1) != null ? matcher.group(1) : "";
                    matcher.appendReplacement(out, Matcher.quoteReplacement(kept + MASK));
                }
                while (matcher.find());
                matcher.appendTail(out);
                masked = out.toString();
            }
        }
        return masked;
    }
}
