"""Resumes in an S3-compatible bucket: a real S3-protocol server on loopback (moto's server),
django-storages' S3Storage, and downloads through the bucket's presigned URLs."""

import os
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from moto import server as moto_server

from candidates.models import Resume
from tests.servers import free_port

pytestmark = pytest.mark.django_db


BUCKET = "hotgigs-resumes-test"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def s3_endpoint():  # type: ignore[no-untyped-def]
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_storage(settings, s3_endpoint):  # type: ignore[no-untyped-def]
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **CREDENTIALS)
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "resumes": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "location": "hotgigs",
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
                "signature_version": "s3v4",
                "access_key": "testing",
                "secret_key": "testing",
                "region_name": "us-east-1",
                "endpoint_url": s3_endpoint,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_upload_parse_and_presigned_download_through_the_bucket(login, candidate, s3_storage, settings):
    client = login(candidate.user)
    data = b"Platform engineer: Terraform and Kubernetes\n"

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            f"/api/v1/candidates/{candidate.pk}/resume",
            {"file": SimpleUploadedFile("my cv.txt", data)},
            format="multipart",
        )

    assert response.status_code == 201, response.content
    resume = Resume.objects.get()
    keys = [item["Key"] for item in s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [f"hotgigs/{resume.file.name}"]
    assert resume.parse_status == "parsed"
    assert "Terraform and Kubernetes" in resume.extracted_text

    link = client.get(f"/api/v1/candidates/{candidate.pk}/resumes/{resume.pk}/link").json()["url"]

    query = parse_qs(urlsplit(link).query)
    assert query["X-Amz-Expires"] == [str(settings.RESUME_LINK_SECONDS)]
    download = requests.get(link, timeout=10)
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["Content-Disposition"] == 'attachment; filename="my cv.txt"'
    # The bucket is private: the same object without the signature is refused.
    assert requests.get(link.split("?")[0], timeout=10).status_code == 403


def test_a_bucket_setting_switches_the_storage():
    env = {**os.environ, "RESUME_STORAGE_BUCKET": "some-bucket", "DJANGO_SETTINGS_MODULE": "hotgigs.settings"}
    code = "from django.conf import settings; r = settings.STORAGES['resumes']; print(r['BACKEND'], r['OPTIONS']['bucket_name'], r['OPTIONS']['default_acl'])"

    out = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout

    assert out.split() == ["storages.backends.s3.S3Storage", "some-bucket", "private"]


def test_without_a_bucket_resumes_stay_in_a_private_folder():
    env = {k: v for k, v in os.environ.items() if k not in ("RESUME_STORAGE_BUCKET", "AWS_STORAGE_BUCKET_NAME")}
    env.update({"DJANGO_SETTINGS_MODULE": "hotgigs.settings", "DJANGO_MEDIA_ROOT": "/srv/media"})
    code = "from django.conf import settings; r = settings.STORAGES['resumes']; print(r['BACKEND'], r['OPTIONS']['location'])"

    out = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout

    assert out.split() == ["django.core.files.storage.FileSystemStorage", "/srv/media/private"]
