package io.retinue.analytics.web;

import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A report as CSV (RFC 4180): a header of the row record's fields — of its grouping fields, those the report is grouped
 * by — then a line per row. A text cell that a spreadsheet would read as a formula is written with a leading
 * apostrophe.
 */
final class CsvTable {

    /** The fields that name a row's group, left out unless the report is grouped by them. */
    private static final Set<String> GROUPING = Set.of("day", "agent", "version", "model", "tool");

    private CsvTable() {
    }

    static String of(Class<? extends Record> type, List<String> groupedBy, List<? extends Record> rows) {
        List<RecordComponent> columns = Arrays.stream(type.getRecordComponents())
            .filter(column -> !GROUPING.contains(column.getName()) || groupedBy.contains(column.getName()))
            .toList();
        StringBuilder csv = new StringBuilder();
        csv.append(columns.stream().map(RecordComponent::getName).collect(Collectors.joining(","))).append("\r\n");
        for (Record row : rows) {
            csv.append(columns.stream().map(column -> cell(value(column, row))).collect(Collectors.joining(",")))
                .append("\r\n");
        }
        return csv.toString();
    }

    private static Object value(RecordComponent column, Record row) {
        try {
            return column.getAccessor().invoke(row);
        }
        catch (ReflectiveOperationException unexpected) {
            throw new IllegalStateException(unexpected);
        }
    }

    static String cell(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof BigDecimal amount) {
            return amount.toPlainString();
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        String text = value.toString();
        if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
            text = "'" + text;
        }
        if (text.chars().anyMatch(c -> c == ',' || c == '"' || c == '\n' || c == '\r')) {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }
}
