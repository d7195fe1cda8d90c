"""All models of the curation app, one module per capability."""

from .adoption import AdoptionStatus, RepoAdoption  # noqa: F401
from .catalogue import AIModel, Assessment, CategoryScore, index_tie_break  # noqa: F401
from .charts import ChartRun, ChartVersion  # noqa: F401
from .classification import EffectiveClassification, effective_classification  # noqa: F401
from .history import HistoryEntry, ImportRun  # noqa: F401
from .images import Image, ImageRendition  # noqa: F401
from .not_included import DeclinedCandidate  # noqa: F401
from .organisations import Organisation  # noqa: F401
from .outbox import DataChange  # noqa: F401
from .periods import ModelPeriod, ModelPeriodsWritten  # noqa: F401
from .posts import ARTICLE_KINDS, HOME_PAGE_SLUG, Post, PostKind, PostRevision, PostStatus, PostStatusChange, PostTag  # noqa: F401
from .registry import Dimension, DimensionCategory, RegistryVersion  # noqa: F401
from .releases import DataRelease, DataReleaseFile, ReleaseIsImmutable  # noqa: F401
from .review import ChangeRequest, ReviewEvent  # noqa: F401
from .site import MenuItem, SiteLogo, SiteSettings  # noqa: F401
