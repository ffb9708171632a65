"""Small widgets shared by the pages: period picker, unit tree, unit search, dialogs."""
