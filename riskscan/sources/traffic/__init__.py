"""Traffic readers: access logs (and, as they come, gateway JSON logs and HAR captures), streamed,
redacted at ingestion and aggregated into `TrafficSample`s."""
