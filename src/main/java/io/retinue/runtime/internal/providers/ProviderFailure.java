package io.retinue.runtime.internal.providers;

import java.io.InterruptedIOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.ai.retry.NonTransientAiException;
import org.springframework.ai.retry.TransientAiException;
import org.springframework.core.codec.CodecException;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.reactive.function.UnsupportedMediaTypeException;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import com.anthropic.errors.AnthropicInvalidDataException;
import com.anthropic.errors.AnthropicIoException;
import com.anthropic.errors.AnthropicServiceException;

import io.retinue.shared.outbound.OutboundUnavailable;
import io.retinue.shared.outbound.RetryAfter;

/**
 * Why a model provider failed, in terms a run can report and act on. Only failures that say something about the
 * provider's health (rate limits, unavailability, timeouts, broken streams) count against its breaker, and of those
 * only the ones a retry cannot make worse are retried: not once part of the answer was reported (a retry would
 * repeat it), nor when the provider asks to wait longer than the run has left. {@code retryAfter} is the wait the
 * provider asked for, when it said one.
 */
public record ProviderFailure(Kind kind, String message, boolean retryable, Duration retryAfter) {

    /** The classes of provider failure; each is a run's {@code errorCode} as {@code provider_<wire>}. */
    public enum Kind {
        AUTH, RATE_LIMITED, CONTEXT_TOO_LONG, BAD_REQUEST, BAD_RESPONSE, UNAVAILABLE, TIMEOUT, STREAM_BROKEN, UNKNOWN;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Whether a failure of this kind says something about the provider's health (and counts against it). */
        boolean transientFailure() {
            return this == RATE_LIMITED || this == UNAVAILABLE || this == TIMEOUT || this == STREAM_BROKEN;
        }
    }

    /** Whether the failure counts against the provider's breaker. */
    public boolean isTransient() {
        return kind.transientFailure();
    }

    /** A failure after part of the answer was reported: not retried, a retry would repeat that part. */
    public static final class AfterText extends RuntimeException {

        public AfterText(Throwable cause) {
            super(cause);
        }
    }

    /** A streamed answer that ended before the provider said it was complete, or was no stream at all. */
    public static final class Incomplete extends RuntimeException {

        public Incomplete(String message) {
            super(message);
        }
    }

    /** A whole answer that is not one: nothing, or no word of how it ended. */
    public static final class Unreadable extends RuntimeException {

        public Unreadable(String message) {
            super(message);
        }
    }

    /** The provider sent nothing for as long as the connection's timeout allows. */
    public static final class Silent extends RuntimeException {

        public Silent(String message) {
            super(message);
        }
    }

    /** A failure whose Retry-After does not fit in the time the run has left: not retried now. */
    public static final class WaitTooLong extends RuntimeException {

        public WaitTooLong(Throwable cause) {
            super(cause);
        }
    }

    /** How Spring AI's own clients say a status: "HTTP 400 …", or "400 - <body>" from its default error handler. */
    private static final Pattern SPRING_AI_STATUS = Pattern.compile("HTTP (\\d{3})|^(\\d{3}) - ");

    private static final String UNREADABLE = "the provider answered with something that is not its API's answer "
            + "(a proxy's page, or a server of another kind at this address?)";

    /** The class of an HTTP error status from any provider, with what the provider said. */
    private static ProviderFailure byStatus(int status, String message, String retryAfter) {
        if (status >= 200 && status < 300) {
            // A client that could not read a 200 (WebClient says so with the answer's status).
            return new ProviderFailure(Kind.BAD_RESPONSE, UNREADABLE, false, null);
        }
        String text = String.valueOf(message).toLowerCase(Locale.ROOT);
        Kind kind = status == 401 || status == 403 ? Kind.AUTH
                : status == 429 ? Kind.RATE_LIMITED
                : status >= 500 || status == 408 ? Kind.UNAVAILABLE
                : text.contains("context") && (text.contains("length") || text.contains("too long")
                        || text.contains("maximum")) || text.contains("prompt is too long") ? Kind.CONTEXT_TOO_LONG
                : Kind.BAD_REQUEST;
        return new ProviderFailure(kind, "HTTP " + status + ": " + message, kind.transientFailure(),
                kind.transientFailure() ? RetryAfter.parse(retryAfter, Instant.now()) : null);
    }

    public static ProviderFailure of(Throwable failure) {
        if (failure instanceof AfterText after) {
            ProviderFailure cause = of(after.getCause());
            // A timeout stays one; anything else that stops a stream half-way broke it.
            return cause.kind() == Kind.TIMEOUT ? new ProviderFailure(Kind.TIMEOUT, cause.message(), false, null)
                    : new ProviderFailure(Kind.STREAM_BROKEN, "the provider's stream broke off after it had started "
                            + "answering: " + cause.message(), false, null);
        }
        if (failure instanceof WaitTooLong tooLong) {
            ProviderFailure cause = of(tooLong.getCause());
            return new ProviderFailure(cause.kind(), cause.message() + " (the provider asked to wait "
                    + cause.retryAfter().toSeconds() + " s, more than the run has left)", false, cause.retryAfter());
        }
        // A timeout deep in the chain wins over the client's wrapping of it ("Request failed").
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof Silent || cause instanceof HttpTimeoutException
                    || cause instanceof InterruptedIOException) {
                return new ProviderFailure(Kind.TIMEOUT, cause instanceof Silent ? cause.getMessage()
                        : "the provider did not answer in time", true, null);
            }
            if (cause instanceof OutboundUnavailable unavailable && unavailable.type() == OutboundUnavailable.TIMEOUT) {
                return new ProviderFailure(Kind.TIMEOUT, unavailable.getMessage(), true, null);
            }
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof Incomplete) {
                return new ProviderFailure(Kind.STREAM_BROKEN, cause.getMessage(), true, null);
            }
            if (cause instanceof Unreadable) {
                return new ProviderFailure(Kind.BAD_RESPONSE, cause.getMessage(), false, null);
            }
            if (cause instanceof OpenAiChat.Refused refused) {
                return byStatus(refused.status(), refused.getMessage(), refused.retryAfter());
            }
            if (cause instanceof AnthropicServiceException service) {
                return byStatus(service.statusCode(), service.getMessage(),
                        service.headers().values("Retry-After").stream().findFirst().orElse(null));
            }
            if (cause instanceof WebClientResponseException response) {
                return byStatus(response.getStatusCode().value(), response.getResponseBodyAsString(),
                        response.getHeaders().getFirst("Retry-After"));
            }
            if (cause instanceof RestClientResponseException response) {
                return byStatus(response.getStatusCode().value(), response.getResponseBodyAsString(),
                        response.getResponseHeaders() == null ? null
                                : response.getResponseHeaders().getFirst("Retry-After"));
            }
            if (cause instanceof AnthropicInvalidDataException
                    || cause instanceof CodecException || cause instanceof HttpMessageNotReadableException
                    || cause instanceof UnsupportedMediaTypeException
                    || cause instanceof com.fasterxml.jackson.core.JacksonException
                    || cause instanceof tools.jackson.core.JacksonException
                    || cause instanceof RestClientException && !(cause.getCause() instanceof java.io.IOException)) {
                return new ProviderFailure(Kind.BAD_RESPONSE, UNREADABLE, false, null);
            }
            if (cause instanceof TransientAiException || cause instanceof NonTransientAiException) {
                // Spring AI's own HTTP clients say the status in the message.
                Matcher status = SPRING_AI_STATUS.matcher(String.valueOf(cause.getMessage()));
                if (status.find()) {
                    return byStatus(Integer.parseInt(status.group(1) != null ? status.group(1) : status.group(2)),
                            cause.getMessage(), null);
                }
                Kind kind = cause instanceof TransientAiException ? Kind.UNAVAILABLE : Kind.BAD_REQUEST;
                return new ProviderFailure(kind, cause.getMessage(), kind.transientFailure(), null);
            }
            if (cause instanceof OutboundUnavailable unavailable) {
                // The breaker is open or too many calls are in flight: retrying at once would be refused again.
                return new ProviderFailure(Kind.UNAVAILABLE, unavailable.getMessage(), false, null);
            }
            if (cause instanceof AnthropicIoException || cause instanceof WebClientRequestException
                    || cause instanceof java.io.IOException || cause instanceof RestClientException) {
                return new ProviderFailure(Kind.UNAVAILABLE, "the provider could not be reached or dropped the "
                        + "connection", true, null);
            }
        }
        return new ProviderFailure(Kind.UNKNOWN, "the model call failed unexpectedly (the server log has the details)",
                false, null);
    }
}
