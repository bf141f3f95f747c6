from jobs.selectors import job_list


def test_recruiter_sees_own_org_job(open_job, recruiter, other_open_job):
    assert list(job_list(actor=recruiter)) == [open_job]
