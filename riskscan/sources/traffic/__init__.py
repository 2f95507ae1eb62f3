"""Traffic readers: access logs, gateway JSON-lines logs and mapped logs (`jsonl/`) and, as they come,
HAR captures; streamed, redacted at ingestion and aggregated into `TrafficSample`s."""
