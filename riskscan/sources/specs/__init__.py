"""API documentation readers: OpenAPI 3.x and Swagger 2.0 (and, as they come, other description
formats). Each produces `ApiSpec`s; the modules beside the reader hold its `$ref` resolution, server
prefixes, security schemes and version rules."""
