"""Network sync with the provincial server (the HTTP client and what it shares with the server).

* :mod:`.wire`: the push body (the bundles' signed segments, framed and zstd'd),
  batch ids, the authentication message.
* :mod:`.adapter`: verifying and applying received segments in one
  transaction through the same ``sync``/``store`` code as a USB import.
* :mod:`.client`: ``coverage-desk sync``: authenticate, push, pull, record
  acknowledgements; resumable, with progress and cancel.
"""
