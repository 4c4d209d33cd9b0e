"""Inter-coder agreement: coefficients (:mod:`.stats`), units (:mod:`.units`) and the
Project facade mixin (:mod:`.api`)."""
from workbench.agreement.api import AgreementAPI

__all__ = ["AgreementAPI"]
