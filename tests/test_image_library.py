"""The image library: pictures with text alternative, caption, credit and licence, uploaded in
the admin, stored through Django's storage API, served in resized renditions with srcset."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PillowImage

from curation.editorial import images, services
from curation.editorial.errors import EmbedProblems
from curation.editorial.rendering import render_markdown
from curation.models import Image, PostKind

pytestmark = pytest.mark.django_db


def picture_bytes(width=1500, height=800, fmt="PNG", mode="RGB") -> bytes:
    picture = PillowImage.new(mode, (width, height))
    # Detail that makes smaller copies lighter than the original, as with real screenshots.
    for x in range(0, width, 7):
        for y in range(0, height, 50):
            picture.putpixel((x, y), (x % 255, y % 255, 120) if mode == "RGB" else 0)
    out = io.BytesIO()
    picture.save(out, format=fmt)
    return out.getvalue()


def test_an_editor_uploads_a_picture_in_the_admin_and_renditions_are_made(client, editor, settings):
    client.force_login(editor)
    upload = SimpleUploadedFile("chart-of-the-week.png", picture_bytes(), content_type="image/png")
    response = client.post(
        reverse("admin:curation_image_add"),
        {
            "name": "chart-of-the-week.png",
            "file": upload,
            "alt_text": "Bars of openness per model type",
            "caption": "Openness by type",
            "credit": "OSAI Index",
            "licence": "CC BY 4.0",
            "renditions-TOTAL_FORMS": "0",
            "renditions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    image = Image.objects.get(name="chart-of-the-week.png")
    assert (image.width, image.height) == (1500, 800) and len(image.sha256) == 64
    widths = list(image.renditions.values_list("width", flat=True))
    assert widths and widths == sorted(widths) and max(widths) < 1500 and set(widths) <= set(images.RENDITION_WIDTHS)
    for rendition in image.renditions.all():
        with PillowImage.open(rendition.file) as stored:
            assert stored.width == rendition.width  # really resized
        assert (settings.MEDIA_ROOT / rendition.file.name).exists()  # through the default storage
    page = client.get(reverse("admin:curation_image_change", args=[image.pk])).content.decode()
    assert "1500 × 800 pixels" in page


def test_a_post_shows_the_picture_with_srcset_caption_credit_and_licence(client, make_post, editor):
    image, _ = images.store_image(
        "diagram.png", picture_bytes(), alt_text="A diagram", caption="The diagram", credit="Ada", licence="CC BY 4.0"
    )
    post = make_post("With a picture", body='Before.\n\n{% image "diagram.png" %}\n\nAfter.')
    services.publish(post, user=editor)
    html = client.get(post.get_absolute_url()).content.decode()
    tag = re.search(r"<img [^>]*>", html[html.index('class="embed-image"') :]).group(0)
    assert 'alt="A diagram"' in tag and 'loading="lazy"' in tag and 'sizes="' in tag
    srcset = re.search(r'srcset="([^"]+)"', tag).group(1).replace("&amp;", "&")
    entries = [part.strip().split(" ") for part in srcset.split(",")]
    assert [int(w[:-1]) for _, w in entries] == [r.width for r in image.renditions.all()] + [1500]
    for address, _ in entries:
        response = client.get(address)
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"  # the address names the file's hash
    assert '<figcaption>The diagram <small class="credit">Ada, CC BY 4.0</small></figcaption>' in html
    # The plain address (old upstream links to /images/<name>) works too, cached for an hour.
    plain = client.get("/images/diagram.png")
    assert plain.status_code == 200 and plain["Cache-Control"] == "public, max-age=3600"
    assert client.get("/images/nothing.png").status_code == 404
    assert client.get("/images/123/diagram.png").status_code == 404


def test_a_picture_without_text_alternative_cannot_be_published(make_post, editor):
    images.store_image("undescribed.png", picture_bytes(400, 300))
    post = make_post("Undescribed", body='{% image "undescribed.png" %}')
    with pytest.raises(EmbedProblems, match=re.escape("image 'undescribed.png' has no text alternative")):
        services.publish(post, user=editor)
    # An alt text given in the post is enough (a picture may need different words in context).
    post.body = '{% image "undescribed.png" alt="A grey rectangle" %}'
    services.save_post(post, user=editor)
    services.publish(post, user=editor)
    assert 'alt="A grey rectangle"' in render_markdown(post.body, post=post).html


def test_bad_files_are_refused_with_the_reason(client, editor, settings):
    with pytest.raises(images.ImageProblem, match="not a picture this site can read"):
        images.store_image("notes.png", b"this is text")
    with pytest.raises(images.ImageProblem, match="cannot be an image name"):
        images.store_image("../escape.png", picture_bytes(10, 10))
    settings.DEBUG = False
    images.MAX_PIXELS, saved = 1000, images.MAX_PIXELS
    try:
        with pytest.raises(images.ImageProblem, match="megapixels are refused"):
            images.store_image("huge.png", picture_bytes(100, 100))
    finally:
        images.MAX_PIXELS = saved
    client.force_login(editor)
    response = client.post(
        reverse("admin:curation_image_add"),
        {
            "name": "fake.png",
            "file": SimpleUploadedFile("fake.png", b"GIF89a not really", content_type="image/png"),
            "alt_text": "x",
            "renditions-TOTAL_FORMS": "0",
            "renditions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200 and not Image.objects.filter(name="fake.png").exists()


def test_replacing_a_file_keeps_the_name_and_makes_new_renditions(settings):
    first, _ = images.store_image("logo.png", picture_bytes(1000, 500), alt_text="Logo")
    old_files = [first.file.name] + [r.file.name for r in first.renditions.all()]
    _again, changed = images.store_image("logo.png", picture_bytes(1000, 500))
    assert not changed  # the same bytes: nothing happens
    second, changed = images.store_image("logo.png", picture_bytes(700, 350))
    assert changed and second.pk == first.pk and second.width == 700 and second.alt_text == "Logo"
    assert all(r.width < 700 for r in second.renditions.all())
    assert not any((settings.MEDIA_ROOT / name).exists() for name in old_files if name != second.file.name)


def test_an_animated_picture_keeps_only_its_original():
    frames = [PillowImage.new("RGB", (600, 400), color) for color in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    image, _ = images.store_image("moving.gif", out.getvalue(), alt_text="Moving")
    assert not image.renditions.exists()
    assert images.srcset(image).endswith(" 600w") and "," not in images.srcset(image)


def test_a_picture_shown_by_a_published_post_cannot_be_deleted(client, make_post, editor):
    image, _ = images.store_image("kept.png", picture_bytes(400, 300), alt_text="Kept")
    post = make_post("Shows it", body='{% image "kept.png" %}')
    services.publish(post, user=editor)
    with pytest.raises(images.ImageProblem, match="is shown by 'Shows it'"):
        images.delete_image(image)
    client.force_login(editor)
    response = client.post(reverse("admin:curation_image_delete", args=[image.pk]), {"post": "yes"}, follow=True)
    assert "is shown by" in response.content.decode() and Image.objects.filter(pk=image.pk).exists()
    unused, _ = images.store_image("unused.png", picture_bytes(400, 300), alt_text="Unused")
    images.delete_image(unused)
    assert not Image.objects.filter(name="unused.png").exists()


@pytest.mark.parametrize("role,allowed", [("editor", True), ("curator", False), ("reviewer", False)])
def test_only_editors_manage_the_library_and_the_site_settings(client, role_users, role, allowed):
    client.force_login(role_users[role])
    library = client.get(reverse("admin:curation_image_changelist")).status_code
    settings_page = client.get(reverse("admin:curation_sitesettings_changelist"), follow=True).status_code
    assert (library == 200) is allowed and (settings_page == 200) is allowed


def test_pages_are_checked_for_taken_addresses(make_post):
    with pytest.raises(services.InvalidPost, match="the address /models/ belongs to another part of the site"):
        make_post("Models", kind=PostKind.PAGE, slug="models")
    page = make_post("About us", kind=PostKind.PAGE, slug="about")
    assert page.get_absolute_url() == "/about/"
    home = make_post("Welcome", kind=PostKind.PAGE, slug="index")
    assert home.get_absolute_url() == "/"
