"""The image library's services: storing pictures, their resized renditions and finding them
by name.

Files go through Django's storage API (`default_storage`), so the library works on the local
folder (MEDIA_ROOT) and on any django-storages backend alike. Renditions are made with Pillow at
the widths in RENDITION_WIDTHS that are narrower than the original (an animated picture keeps
only its original: resizing would stop it). Every change records a data change, so pages that
show the picture are rebuilt.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from PIL import Image as PillowImage, ImageOps, UnidentifiedImageError

from curation.datachanges import record_data_change
from curation.models import Image, ImageRendition, Post, PostStatus

# Widths of the resized copies offered in srcset (CSS pixels at 1x to 2x of the text column).
RENDITION_WIDTHS = (320, 640, 960, 1280, 1920)
# Pictures larger than this many pixels are refused before decoding (a "decompression bomb").
MAX_PIXELS = 40_000_000
MAX_FILE_BYTES = 20 * 1024 * 1024
IMAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
# Pillow's format name -> (file suffix, save options) of the renditions.
RENDITION_FORMATS = {
    "PNG": (".png", {"compress_level": 6}),
    "JPEG": (".jpg", {"quality": 85, "optimize": True, "progressive": True}),
    "WEBP": (".webp", {"quality": 85}),
    "GIF": (".gif", {}),
}
# How wide a picture shows in an article's text column, for the `sizes` attribute.
ARTICLE_SIZES = "(min-width: 50rem) 46rem, 100vw"


class ImageProblem(ValidationError):
    """A picture that cannot go into the library; the message says what and why (`reason`
    without the picture's name, for reports that name the file already)."""

    def __init__(self, message: str, *, reason: str = ""):
        super().__init__(message)
        self.reason = reason or message


def _refused(label: str, reason: str) -> ImageProblem:
    return ImageProblem(f"{label}: {reason}", reason=reason)


@dataclass(frozen=True)
class Inspected:
    width: int
    height: int
    format: str
    animated: bool
    sha256: str


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not IMAGE_NAME.match(name):
        raise ImageProblem(
            f"{name!r} cannot be an image name: use letters, digits, dots, dashes and underscores, e.g. deepseek_dev.png"
        )
    return name


def inspect(data: bytes, label: str) -> Inspected:
    """Check that `data` is a picture Pillow can read, not too big; raises ImageProblem."""
    if len(data) > MAX_FILE_BYTES:
        raise _refused(
            label, f"{len(data) / 1024 / 1024:.1f} MB; pictures over {MAX_FILE_BYTES // 1024 // 1024} MB are refused"
        )
    try:
        with PillowImage.open(io.BytesIO(data)) as picture:
            width, height = picture.size
            if width * height > MAX_PIXELS:
                raise _refused(
                    label, f"{width}×{height} pixels; pictures over {MAX_PIXELS // 1_000_000} megapixels are refused"
                )
            fmt = picture.format or ""
            animated = bool(getattr(picture, "is_animated", False))
            picture.verify()
    except ImageProblem:
        raise
    except UnidentifiedImageError as exc:
        raise _refused(label, "not a picture this site can read (PNG, JPEG, WebP or GIF)") from exc
    except (OSError, SyntaxError, ValueError, PillowImage.DecompressionBombError) as exc:
        raise _refused(label, f"not a picture this site can read ({exc})") from exc
    if fmt not in RENDITION_FORMATS:
        raise _refused(label, f"{fmt or 'unknown'} pictures are not supported (use PNG, JPEG, WebP or GIF)")
    return Inspected(width, height, fmt, animated, hashlib.sha256(data).hexdigest())


def _rendition_bytes(data: bytes, width: int, fmt: str) -> tuple[bytes, int]:
    with PillowImage.open(io.BytesIO(data)) as picture:
        picture = ImageOps.exif_transpose(picture)
        height = max(1, round(picture.height * width / picture.width))
        resized = picture.resize((width, height), PillowImage.Resampling.LANCZOS)
        if fmt == "JPEG" and resized.mode not in ("RGB", "L"):
            resized = resized.convert("RGB")
        out = io.BytesIO()
        resized.save(out, format=fmt, **RENDITION_FORMATS[fmt][1])
    return out.getvalue(), height


def make_renditions(image: Image, data: bytes, inspected: Inspected) -> list[ImageRendition]:
    """(Re)make the resized copies of `image` from its bytes; returns them, narrowest first."""
    for old in image.renditions.all():
        old.file.delete(save=False)
        old.delete()
    if inspected.animated:
        return []
    suffix = RENDITION_FORMATS[inspected.format][0]
    stem = image.name.rsplit(".", 1)[0]
    made = []
    for width in RENDITION_WIDTHS:
        if width >= inspected.width:
            break
        payload, height = _rendition_bytes(data, width, inspected.format)
        if len(payload) >= len(data):
            continue  # no lighter than the original: readers load the original instead
        rendition = ImageRendition(image=image, width=width, height=height)
        rendition.file.save(f"{stem}-{width}w{suffix}", ContentFile(payload), save=False)
        rendition.save()
        made.append(rendition)
    return made


@transaction.atomic
def save_image(image: Image, *, data: bytes | None = None, user=None, reason: str = "saved") -> Image:
    """Save a library picture: its text, and with `data` a new file (checked, stored, resized).

    Raises ImageProblem for a bad name or a file that is not a supported picture.
    """
    check_name(image.name)
    inspected = inspect(data, image.name) if data is not None else None
    if inspected is not None:
        if image.pk:
            previous = Image.objects.filter(pk=image.pk).values_list("file", flat=True).first()
            if previous:
                image.file.storage.delete(previous)
        image.sha256 = inspected.sha256
        if user is not None and getattr(user, "pk", None):
            image.uploaded_by = user
        image.file.save(image.name, ContentFile(data), save=False)
        image.width, image.height = inspected.width, inspected.height
    image.save()
    if inspected is not None:
        make_renditions(image, data, inspected)
    record_data_change(f"image {reason}: {image.name}", kept_in_history=True)
    return image


@transaction.atomic
def store_image(
    name: str,
    data: bytes,
    *,
    user=None,
    alt_text=None,
    caption=None,
    credit=None,
    licence=None,
    source_path: str | None = None,
) -> tuple[Image, bool]:
    """Create or replace the library picture called `name` with `data` (and any text given).

    Returns (image, changed). An unchanged file with unchanged text changes nothing.
    """
    name = check_name(name)
    image = Image.objects.select_for_update().filter(name=name).first()
    texts = {"alt_text": alt_text, "caption": caption, "credit": credit, "licence": licence}
    texts = {k: (v or "").strip()[:500] for k, v in texts.items() if v is not None}
    sha256 = hashlib.sha256(data).hexdigest()
    if image is not None and image.sha256 == sha256 and all(getattr(image, k) == v for k, v in texts.items()):
        return image, False
    new_file = image is None or image.sha256 != sha256
    image = image or Image(name=name)
    for key, value in texts.items():
        setattr(image, key, value)
    if source_path is not None:
        image.source_path = source_path[:300]
    save_image(image, data=data if new_file else None, user=user, reason="replaced" if new_file else "described")
    return image, True


def posts_showing(image: Image):
    """Posts and pages whose body refers to the picture (by embed or by /images/ address)."""

    return Post.objects.filter(Q(body__contains=f'"{image.name}"') | Q(body__contains=f"/images/{image.name}"))


@transaction.atomic
def delete_image(image: Image) -> None:
    """Remove a picture and its files; refused (ImageProblem) while a published post shows it."""
    showing = list(posts_showing(image).filter(status=PostStatus.PUBLISHED).values_list("title", flat=True)[:5])
    if showing:
        raise ImageProblem(f"{image.name!r} is shown by {', '.join(map(repr, showing))}: remove it from there first")
    files = [image.file.name] + [r.file.name for r in image.renditions.all()]
    storage = image.file.storage
    image.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in files if name])
    record_data_change(f"image deleted: {image.name}", kept_in_history=True)


def image_named(name: str) -> Image | None:
    """The library picture called `name` (exact name, then any case), with its renditions."""
    name = (name or "").strip()
    if not name:
        return None
    found = Image.objects.prefetch_related("renditions").filter(name=name).first()
    return found or Image.objects.prefetch_related("renditions").filter(name__iexact=name).first()


def image_url(image: Image, width: int | None = None) -> str:
    """The address readers load the picture from (the original, or the rendition of `width`)."""
    version = image.sha256[:12]
    if width:
        return reverse("curation:image-rendition", args=[width, image.name]) + f"?v={version}"
    return reverse("curation:image", args=[image.name]) + f"?v={version}"


def srcset(image: Image) -> str:
    """The `srcset` attribute: every rendition and the original, with their widths."""
    entries = [f"{image_url(image, r.width)} {r.width}w" for r in image.renditions.all()]
    entries.append(f"{image_url(image)} {image.width}w")
    return ", ".join(entries)


def best_src(image: Image, target_width: int = 960) -> tuple[str, int, int]:
    """(address, width, height) of the narrowest rendition at least `target_width` wide (or the original)."""
    for rendition in image.renditions.all():
        if rendition.width >= target_width:
            return image_url(image, rendition.width), rendition.width, rendition.height
    return image_url(image), image.width, image.height
