package io.retinue.agents.web;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;

/** Reads the revision an {@code If-Match} or {@code If-None-Match} header names (an agent's ETag is {@code "n"}). */
final class Preconditions {

    private static final Pattern ETAG = Pattern.compile("(?:W/)?\"(\\d{1,18})\"");

    private Preconditions() {
    }

    /** The expected revision, or null when there is no precondition ({@code If-Match} absent or {@code *}). */
    static Long ifMatch(String header) {
        if (header == null || header.isBlank() || header.trim().equals("*")) {
            return null;
        }
        Matcher matcher = ETAG.matcher(header.trim());
        if (!matcher.matches()) {
            throw new DomainProblem(ProblemType.PRECONDITION_FAILED,
                    "If-Match must be one ETag as returned by this API, e.g. \"3\"");
        }
        return Long.parseLong(matcher.group(1));
    }

    static boolean noneMatch(String header, String etag) {
        if (header == null) {
            return false;
        }
        for (String candidate : header.split(",")) {
            String trimmed = candidate.trim();
            if (trimmed.equals("*") || trimmed.equals(etag) || trimmed.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }
}
