"""Pseudonymisation (RGPD): detect personal data, review it, and write a pseudonymised
copy of a project with every offset remapped; the key stays in a file of its own.

See docs/privacy.md.  The facade mixin is :class:`workbench.privacy.api.PrivacyAPI`.
"""
from workbench.privacy.api import PrivacyAPI, PrivacyError, PrivacyWarning

__all__ = ["PrivacyAPI", "PrivacyError", "PrivacyWarning"]
