"""Gateway and edge configuration readers: each turns one gateway's own format into `GatewayConfig`s
whose `GatewayRoute`s carry the effective authentication, rate limits, loggers and monitors, so the
inventory and the controls need no change per gateway kind."""
