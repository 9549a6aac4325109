"""Coverage (retombées): feed monitoring, articles, and later matching and metrics."""
