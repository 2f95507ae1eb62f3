"""`--engine spark`: the traffic aggregation of `engine.TrafficAggregator`, run on Apache Spark.

For logs too big for one machine, or that stay where they are (`s3a://`, `hdfs://`, `abfss://`,
local paths): the lines are read, numbered, parsed, reduced and grouped by Spark SQL functions
(Java regexes running the embedded engine's own patterns, no Python per line but for the rare lines
the fast pattern misses), and only the aggregates come back to the driver, where they become the
same `TrafficSample` the embedded engine makes. pyspark is an optional extra
(`pip install 'riskscan[spark]'`), imported only when this engine runs.

- `session`: the Spark session (the one the environment provides, or one for `--spark-master`);
- `text`: the lines of one or more files, numbered exactly;
- `access_log`: the combined/common/vhost line format as Spark expressions;
- `aggregate`: reduction and grouping, the result handed back as `traffic_result.AggregateResult`;
- `reader`: a location in, a `TrafficSample` out (with the embedded engine's rejection rules);
- `scan`: what `--engine spark` changes in a scan (the readers of local logs, remote locations).
"""
