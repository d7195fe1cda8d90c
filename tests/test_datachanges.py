"""The transactional outbox: rows commit with the change, and old processed rows are pruned."""

import datetime

import pytest
from django.utils import timezone

from curation.datachanges import current_data_version, prune_processed_changes, record_data_change
from curation.models import DataChange
from tests.conftest import forget_cached_pages

pytestmark = pytest.mark.django_db


def test_outbox_row_rolls_back_with_the_change_it_records():
    from django.db import transaction

    # The raise inside the block is what rolls the change back.
    with pytest.raises(RuntimeError), transaction.atomic():  # noqa: PT012
        record_data_change("test: will roll back")
        raise RuntimeError("the change failed")
    assert not DataChange.objects.filter(reason="test: will roll back").exists()


def test_pruning_removes_old_processed_rows_but_never_pending_ones_or_the_data_version():
    long_ago = timezone.now() - datetime.timedelta(days=40)
    old_processed = [record_data_change(f"test: old {i}") for i in range(3)]
    pending = record_data_change("test: still pending")
    newest = record_data_change("test: newest")
    DataChange.objects.filter(pk__in=[c.pk for c in old_processed] + [newest.pk]).update(processed_at=long_ago)
    DataChange.objects.filter(pk=pending.pk).update(processed_at=None)

    assert prune_processed_changes(datetime.timedelta(days=30)) == 3
    assert set(DataChange.objects.values_list("pk", flat=True)) == {pending.pk, newest.pk}
    forget_cached_pages()  # test transactions never commit, so nothing cleared the remembered version
    assert current_data_version() == newest.pk
