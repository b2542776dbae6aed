package io.retinue.shared.web;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import io.retinue.shared.ProblemType;
import io.retinue.shared.Violation;

/**
 * Answers a query string with a broken %-escape ({@code ?limit=%zz}), escapes that are not UTF-8 ({@code %ff}) or a NUL
 * ({@code %00}) with 400 naming the parameter, before any filter or handler asks the container for parameters (which
 * then fails as an unexpected exception).
 */
@Component
// After RequestIds: a request refused here is answered with its request id too.
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class QueryEncoding extends OncePerRequestFilter {

    private final ProblemWriter problems;

    QueryEncoding(ProblemWriter problems) {
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String malformed = malformedParameter(request.getQueryString());
        if (malformed != null) {
            String detail = "The query parameter '" + malformed + "' is not validly %-encoded";
            problems.write(response, Problems.of(ProblemType.INVALID_PARAMETER, ProblemType.INVALID_PARAMETER.status(),
                    detail, List.of(new Violation(malformed, "is not validly %-encoded")), Map.of()));
            return;
        }
        chain.doFilter(request, response);
    }

    /** The (raw) name of the first parameter whose name or value cannot be decoded, or null. */
    static String malformedParameter(String query) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (!decodes(pair)) {
                return decodes(name) ? URLDecoder.decode(name, StandardCharsets.UTF_8) : name;
            }
        }
        return null;
    }

    /** Whether the text's %-escapes are well-formed and the bytes they stand for are UTF-8 (no lone surrogates), not NUL. */
    private static boolean decodes(String text) {
        try {
            byte[] bytes = URLDecoder.decode(text, StandardCharsets.ISO_8859_1).getBytes(StandardCharsets.ISO_8859_1);
            // NUL is UTF-8, but no text column can hold it: searching with it was answered 409 by the database.
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).chars().noneMatch(c -> c == 0);
        }
        catch (IllegalArgumentException | CharacterCodingException ex) {
            return false;
        }
    }

    // The error dispatch of a request refused here must not be refused again.
    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return true;
    }
}
