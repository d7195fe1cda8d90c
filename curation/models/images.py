"""The image library: pictures that posts and pages show, each with the text that makes it
accessible and the credit it is owed.

Posts name an image (`{% image "deepseek_dev.png" %}`); the page shows the library's file in
resized renditions (`srcset`), with its alternative text, caption, credit and licence. Files live
in Django's default storage (a folder by default, any django-storages backend in production).
Rows change only through `curation.editorial.images`.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class Image(models.Model):
    name = models.CharField(
        max_length=200,
        unique=True,
        help_text="The name posts use, e.g. deepseek_dev.png (letters, digits, . _ -).",
    )
    file = models.ImageField(upload_to="images/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    alt_text = models.CharField(
        "text alternative",
        max_length=500,
        blank=True,
        help_text="What the picture shows, for readers who cannot see it. Required before a post showing it is published.",
    )
    caption = models.CharField(max_length=500, blank=True, help_text="Shown under the picture.")
    credit = models.CharField(max_length=300, blank=True, help_text="Who made it, e.g. “Screenshot: Proton AG”.")
    licence = models.CharField(max_length=200, blank=True, help_text="e.g. CC BY 4.0, or “used with permission”.")
    # SHA-256 of the file: re-importing an unchanged file changes nothing.
    sha256 = models.CharField(max_length=64, editable=False, blank=True)
    source_path = models.CharField(max_length=300, blank=True, editable=False, help_text="File it was imported from.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = [Lower("name")]

    def __str__(self):
        return self.name


class ImageRendition(models.Model):
    """The image resized to one width (never wider than the original), for `srcset`."""

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="renditions")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    file = models.FileField(upload_to="images/renditions/")

    class Meta:
        ordering = ["image", "width"]
        constraints = [models.UniqueConstraint(fields=["image", "width"], name="one_rendition_per_image_and_width")]

    def __str__(self):
        return f"{self.image.name} at {self.width}px"
