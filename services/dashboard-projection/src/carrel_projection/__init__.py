"""Dashboard projection: read models in OpenSearch and the read side."""
