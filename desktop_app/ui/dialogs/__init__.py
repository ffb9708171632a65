"""Dialogs of the site register, review and administration pages.

Form dialogs take a ``save`` callback: OK calls it, a :class:`StoreError` is shown
inline and the dialog stays open with what the user typed; success closes it.
"""
