"""Admin for curators, reviewers and editors; one module per room, imported here."""
from . import posts  # noqa: F401,E402
from . import catalogue  # noqa: F401,E402
from . import charts  # noqa: F401,E402
