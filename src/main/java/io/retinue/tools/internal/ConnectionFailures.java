package io.retinue.tools.internal;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;

/** Why a tool's server could not be talked to, in the user's terms: the client's own messages are often empty. */
final class ConnectionFailures {

    private ConnectionFailures() {
    }

    /** The reason the failure's causes tell, or {@code otherwise}. */
    static String reason(Throwable failure, String otherwise) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ConnectException
                    || cause instanceof ClosedChannelException && cause.getCause() instanceof ConnectException) {
                return "the connection was refused";
            }
            if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
                return "it did not answer in time";
            }
            if (cause instanceof UnknownHostException) {
                return "its host name is not known";
            }
        }
        return otherwise;
    }
}
