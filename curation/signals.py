"""Signals of the curation app: how a lower layer sets off work in a higher one.

Imports run one way (see scripts/check_layers.py): a data change cannot import the tasks that
regenerate charts, and publishing charts cannot import the page cache of the reader views.
They send one of these signals instead; curation.receivers, connected when the app is ready,
does the work. Like Wagtail's `page_published`, they are also hooks for a host site.
"""

from django.dispatch import Signal

#: Sent after the transaction that recorded a data change commits
#: (curation.datachanges.record_data_change). Arguments: `change_count`, how many changes this
#: process has committed so far (int).
data_changed = Signal()

#: Sent after a chart regeneration run rendered at least one chart
#: (curation.charts.publish.regenerate). Arguments: `run`, the finished ChartRun.
charts_published = Signal()
