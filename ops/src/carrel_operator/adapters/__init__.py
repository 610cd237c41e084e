"""The operator's clients of Kafka, OpenSearch and the write services' event stores."""
