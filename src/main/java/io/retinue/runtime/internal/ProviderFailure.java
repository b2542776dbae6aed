package io.retinue.runtime.internal;

import java.io.InterruptedIOException;
import java.net.http.HttpTimeoutException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.ai.retry.NonTransientAiException;
import org.springframework.ai.retry.TransientAiException;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import com.anthropic.errors.AnthropicIoException;
import com.anthropic.errors.AnthropicServiceException;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIServiceException;

import io.retinue.shared.outbound.OutboundUnavailable;

/**
 * Why a model provider failed, in terms a run can report and act on: only rate limits, unavailability and timeouts
 * are worth retrying; a wrong key, a bad request or an overlong context are not.
 */
record ProviderFailure(Kind kind, String message) {

    /** The classes of provider failure. */
    enum Kind {
        AUTH, RATE_LIMITED, CONTEXT_TOO_LONG, BAD_REQUEST, UNAVAILABLE, TIMEOUT, STREAM_BROKEN, UNKNOWN;

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    boolean isTransient() {
        return kind == Kind.RATE_LIMITED || kind == Kind.UNAVAILABLE || kind == Kind.TIMEOUT;
    }

    /** A streamed answer that broke off after part of it was reported: not retried, a retry would repeat it. */
    static final class StreamBroken extends RuntimeException {

        StreamBroken(Throwable cause) {
            super("the provider's stream broke off after it had started answering", cause);
        }
    }

    /** How Spring AI's own clients say a status: "HTTP 400 …", or "400 - <body>" from its default error handler. */
    private static final Pattern SPRING_AI_STATUS = Pattern.compile("HTTP (\\d{3})|^(\\d{3}) - ");

    /** The class of an HTTP error status from any provider, with what the provider said. */
    private static ProviderFailure byStatus(int status, String message) {
        String text = String.valueOf(message).toLowerCase(Locale.ROOT);
        Kind kind = status == 401 || status == 403 ? Kind.AUTH
                : status == 429 ? Kind.RATE_LIMITED
                : status >= 500 || status == 408 ? Kind.UNAVAILABLE
                : text.contains("context") && (text.contains("length") || text.contains("too long")
                        || text.contains("maximum")) || text.contains("prompt is too long") ? Kind.CONTEXT_TOO_LONG
                : Kind.BAD_REQUEST;
        return new ProviderFailure(kind, "HTTP " + status + ": " + message);
    }

    static ProviderFailure of(Throwable failure) {
        if (failure instanceof StreamBroken broken) {
            return new ProviderFailure(Kind.STREAM_BROKEN, broken.getMessage() + ": " + of(broken.getCause()).message());
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof OpenAIServiceException service) {
                return byStatus(service.statusCode(), service.getMessage());
            }
            if (cause instanceof AnthropicServiceException service) {
                return byStatus(service.statusCode(), service.getMessage());
            }
            if (cause instanceof WebClientResponseException response) {
                return byStatus(response.getStatusCode().value(), response.getResponseBodyAsString());
            }
            if (cause instanceof RestClientResponseException response) {
                return byStatus(response.getStatusCode().value(), response.getResponseBodyAsString());
            }
            if (cause instanceof TransientAiException || cause instanceof NonTransientAiException) {
                // Spring AI's own HTTP clients (Ollama's, when not streaming) say the status in the message.
                Matcher status = SPRING_AI_STATUS.matcher(String.valueOf(cause.getMessage()));
                if (status.find()) {
                    return byStatus(Integer.parseInt(status.group(1) != null ? status.group(1) : status.group(2)),
                            cause.getMessage());
                }
                return new ProviderFailure(cause instanceof TransientAiException ? Kind.UNAVAILABLE : Kind.BAD_REQUEST,
                        cause.getMessage());
            }
            if (cause instanceof OutboundUnavailable unavailable) {
                return new ProviderFailure(unavailable.type() == OutboundUnavailable.TIMEOUT ? Kind.TIMEOUT
                        : Kind.UNAVAILABLE, unavailable.getMessage());
            }
            if (cause instanceof HttpTimeoutException || cause instanceof InterruptedIOException) {
                return new ProviderFailure(Kind.TIMEOUT, cause.getMessage());
            }
            if (cause instanceof OpenAIIoException || cause instanceof AnthropicIoException
                    || cause instanceof WebClientRequestException || cause instanceof java.net.ConnectException) {
                return new ProviderFailure(Kind.UNAVAILABLE, cause.getMessage());
            }
        }
        return new ProviderFailure(Kind.UNKNOWN, String.valueOf(failure.getMessage()));
    }
}
