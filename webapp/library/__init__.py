"""My blocks: a person's saved Group nodes, to drop into any project (GET/POST /api/blocks, DELETE /api/blocks/{id})."""
