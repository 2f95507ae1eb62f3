"""JSON-lines (and mapped CSV) traffic logs: gateway loggers' default shapes and `--log-fields` mappings.

Every format here is a `FieldMap` (which key of an entry holds each request column) read by one
vectorised decoder (`decode.JsonLinesFormat`, or `mapped.CsvFormat` for CSV) and one conversion to
request rows (`columns.requests_from_columns`); the gateway modules only name their keys.
"""
