"""Daily snapshots of the pipeline: the anonymous facts the analytics read.

The tables are written only by :func:`analytics.services.analytics_snapshot` from the stage
history, a day (UTC) at a time, and hold no candidate, no person and no free text: erasing a
candidate leaves every figure as it was. ``organization`` and ``job`` are copied from the
application's job when the day is written (a job's organization never changes).
"""

from django.db import models

from applications.choices import ApplicationSource, ApplicationStage


class StageDayFact(models.Model):
    """What happened at one stage of one job on one day (UTC): moves counted by where they left.

    ``entered``: applications that moved into ``stage`` that day (submission included for
    ``applied``). ``advanced`` / ``rejected`` / ``withdrawn``: applications that left
    ``stage`` that day for the next stage of the funnel / for rejected / for withdrawn. An
    undone move counts minus one on the day of its undoing, so a sum over days is net of undos
    (a single day may be negative). Rows whose four counts are all zero are not stored.

    ``running_*``: the same four counts summed over this job's rows at ``stage`` up to and
    including ``day`` (a running sum), so a range of days costs two rows per job and stage
    (the last row up to its end minus the last row before its start), whatever its length.
    """

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey("jobs.Job", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    stage = models.CharField(max_length=10, choices=ApplicationStage.choices)
    entered = models.IntegerField(default=0)
    advanced = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    withdrawn = models.IntegerField(default=0)
    running_entered = models.IntegerField(db_default=0)
    running_advanced = models.IntegerField(db_default=0)
    running_rejected = models.IntegerField(db_default=0)
    running_withdrawn = models.IntegerField(db_default=0)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("job", "day", "stage"), name="analytics_stage_day_once"),)
        indexes = (
            models.Index(fields=("organization", "day"), name="analytics_stage_org_day"),
            # The report's "last row up to a day" per job and stage.
            models.Index(fields=("job", "stage", "day"), name="analytics_stage_running"),
        )

    def __str__(self) -> str:
        return f"{self.day} job {self.job_id} {self.stage}"


class StageDayTotal(models.Model):
    """:class:`StageDayFact` summed over an organization's jobs: one row per organization, day
    and stage, so the unfiltered report reads a few rows per organization whatever the
    applications. Written in the same run (and transaction) as the facts it sums; its
    ``running_*`` are the organization's running sums per stage, as :class:`StageDayFact`'s."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    stage = models.CharField(max_length=10, choices=ApplicationStage.choices)
    entered = models.IntegerField(default=0)
    advanced = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    withdrawn = models.IntegerField(default=0)
    running_entered = models.IntegerField(db_default=0)
    running_advanced = models.IntegerField(db_default=0)
    running_rejected = models.IntegerField(db_default=0)
    running_withdrawn = models.IntegerField(db_default=0)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("organization", "day", "stage"), name="analytics_stage_total_once"),
        )
        indexes = (models.Index(fields=("organization", "stage", "day"), name="analytics_total_running"),)

    def __str__(self) -> str:
        return f"{self.day} organization {self.organization_id} {self.stage}"


class HireFact(models.Model):
    """One hire (a move to ``hired`` not taken back): when, from which source, and how long it took.

    ``application_id`` is a plain number, no foreign key, so the fact outlives the application.
    ``applied_at`` is the application's submission (its first history row); ``job_opened_at``
    the job's ``opened_at`` when the hire was snapshotted, or its creation when it never opened
    or was (re)opened after this hire.
    """

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey("jobs.Job", on_delete=models.CASCADE, related_name="+")
    application_id = models.BigIntegerField(unique=True)
    source = models.CharField(max_length=12, choices=ApplicationSource.choices)
    applied_at = models.DateTimeField()
    hired_at = models.DateTimeField()
    hired_on = models.DateField()
    job_opened_at = models.DateTimeField()

    class Meta:
        indexes = (
            models.Index(fields=("organization", "hired_on"), name="analytics_hire_org_day"),
            # The report's percentiles of time to hire: the hires in time-to-hire order from a
            # whole day on (see :class:`HireDayTotal`), the organization and day read from the index.
            models.Index(
                models.F("hired_at") - models.F("applied_at"),
                models.F("organization"),
                models.F("hired_on"),
                name="analytics_hire_time_to_hire",
            ),
        )

    def __str__(self) -> str:
        return f"hire of application {self.application_id} on {self.hired_on}"


class FirstHireFact(models.Model):
    """A job's first hire (:class:`HireFact`), for the time to fill: one row per job with a hire,
    rewritten with the job's hire facts.

    ``hired_at`` / ``hired_on``: the earliest of the job's hires; ``opened_at``: the earliest
    ``job_opened_at`` of its hires. The report reads the jobs filled in a range from here
    rather than grouping every hire of the scope by job.
    """

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    job = models.OneToOneField("jobs.Job", on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField()
    hired_at = models.DateTimeField()
    hired_on = models.DateField()

    class Meta:
        indexes = (models.Index(fields=("organization", "hired_on"), name="analytics_first_hire_org_day"),)

    def __str__(self) -> str:
        return f"first hire of job {self.job_id} on {self.hired_on}"


class HireDayTotal(models.Model):
    """An organization's hires (:class:`HireFact`) summed up to and including one day (UTC):
    one row per organization and day with hires, rewritten with them.

    Each field is a running sum over the hires up to ``day``, so the hires of a range of days
    are the last row up to its end less the last row before its start, two rows per
    organization whatever the range's length or the number of hires: ``running_hires``,
    ``running_microseconds`` (their times to hire, submission to hire, summed exactly),
    ``running_by_source`` (``{source: hires}``) and ``running_by_days`` (``{whole days: hires}``,
    the histogram of time to hire by whole days, rounded down). The histogram says in which
    whole day the median or a percentile falls and how many hires of the range come before
    it, so the exact value is read from the few hires of that day (through the
    ``analytics_hire_time_to_hire`` index) rather than by sorting every hire of the range.
    ``hires``: that day's hires alone.
    """

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    hires = models.IntegerField()
    running_hires = models.IntegerField()
    running_microseconds = models.BigIntegerField()
    running_by_source = models.JSONField()
    running_by_days = models.JSONField()

    class Meta:
        constraints = (models.UniqueConstraint(fields=("organization", "day"), name="analytics_hire_total_once"),)

    def __str__(self) -> str:
        return f"hires of organization {self.organization_id} up to {self.day}"
