"""Where the projection meets OpenSearch."""
