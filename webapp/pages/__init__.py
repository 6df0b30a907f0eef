"""One module per page: each has ``layout(ctx, ...)`` and ``register(app, ctx)``."""
