"""The local store: database lifecycle, repositories (the only writers), logs."""
