"""The FastAPI application: OGC API routes, statistics, tasks and progress, printing, auth, errors."""
