package io.retinue.shared.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

import org.springframework.core.ResolvableType;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.http.server.ServletServerHttpResponse;

import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON converter of the API's answers, which sends each answer whole and with its length. Spring's converter
 * writes through and flushes, so an answer went out chunked and its end (the last, empty chunk) only once every filter
 * had unwound: the client — the gateway, for a service — waited for that too, at every hop. Written whole, the answer
 * is complete for its reader as soon as it is written. Events of a stream are written as before.
 */
final class JsonAnswers extends JacksonJsonHttpMessageConverter {

    JsonAnswers(JsonMapper mapper) {
        super(mapper);
    }

    @Override
    protected void writeInternal(Object object, ResolvableType type, HttpOutputMessage output,
            Map<String, Object> hints) throws IOException {
        if (!(output instanceof ServletServerHttpResponse answer) || answer.getServletResponse().isCommitted()) {
            super.writeInternal(object, type, output, hints);
            return;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(1024);
        super.writeInternal(object, type, new HttpOutputMessage() {

            @Override
            public OutputStream getBody() {
                return body;
            }

            @Override
            public HttpHeaders getHeaders() {
                return output.getHeaders();
            }
        }, hints);
        output.getHeaders().setContentLength(body.size());
        body.writeTo(output.getBody());
    }
}
