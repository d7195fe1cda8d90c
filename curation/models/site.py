"""What editors set for the whole public site: the main menu, the footer, page titles and
descriptions (SEO templates), and the logos of partners and press.

One `SiteSettings` row holds them (the admin shows one page); `import_pages` fills it from the
upstream site's `menu.yml`, `footer.md` and `SEO.yml`. Changes go through
`curation.editorial.site`, which records a data change so cached pages show them at once.
"""

from django.db import models

from curation.weblinks import http_url_validator, site_link_validator

SITE_SETTINGS_ID = 1


class SiteSettings(models.Model):
    footer = models.TextField(
        blank=True,
        help_text='Markdown, shown at the foot of every page. Embeds: {% versionlink repo="data" %} '
        '(date of the index data), {% versionlink repo="website" %} (date of the site\'s content).',
    )
    model_title = models.CharField(
        "model page title",
        max_length=300,
        blank=True,
        help_text="Template, e.g. “{system.name} by {org.name}”. Empty: the model's name.",
    )
    model_description = models.CharField(
        "model page description",
        max_length=500,
        blank=True,
        help_text="Template for search engines and link previews, e.g. “{system.name} open source evidence.”",
    )
    compare_title = models.CharField(
        "comparison page title",
        max_length=300,
        blank=True,
        help_text="Template, e.g. “Compare {names}”.",
    )
    compare_description = models.CharField("comparison page description", max_length=500, blank=True)
    source_path = models.CharField(max_length=300, blank=True, editable=False, help_text="Folder it was imported from.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "site navigation, footer and titles"

    def __str__(self):
        return "Site navigation, footer and titles"


class MenuItem(models.Model):
    """One entry of the site's main menu, in `position` order."""

    site = models.ForeignKey(SiteSettings, on_delete=models.CASCADE, related_name="menu_items")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(max_length=100, help_text="The text readers see (and screen readers announce).")
    link = models.CharField(
        max_length=500,
        validators=[site_link_validator],
        help_text="A path on this site (/news/) or a full https:// address.",
    )
    icon = models.CharField(
        max_length=100,
        blank=True,
        help_text="An icon name as upstream writes it (e.g. devicon-plain:codeberg); kept for export.",
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.label

    @property
    def is_external(self) -> bool:
        return self.link.startswith(("http://", "https://"))


class SiteLogo(models.Model):
    """A partner's or a publication's logo with its link (the `:partners` and `:as-seen-in` blocks)."""

    class Group(models.TextChoices):
        PARTNERS = "partners", "Partners"
        AS_SEEN_IN = "as_seen_in", "As seen in"

    site = models.ForeignKey(SiteSettings, on_delete=models.CASCADE, related_name="logos")
    group = models.CharField(max_length=20, choices=Group.choices)
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200, help_text="The name, also the logo's text alternative.")
    link = models.URLField(max_length=500, blank=True, validators=[http_url_validator])
    image = models.ForeignKey("curation.Image", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["group", "position", "pk"]

    def __str__(self):
        return self.title
