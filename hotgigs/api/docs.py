"""The interactive API docs page (Swagger UI) under the site's Content-Security-Policy.

The split view serves the page's start script from its own route (``?script``), so no inline
script runs; Swagger UI's files come from drf-spectacular-sidecar's static files. The page
template still holds one inline ``<style>`` block (box sizing, background): this page's policy
admits exactly that block by its hash (tests/api/test_csp.py recomputes it from the page).
"""

from csp.decorators import csp_update
from drf_spectacular.views import SpectacularSwaggerSplitView

SWAGGER_UI_STYLE_HASH = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"

docs_view = csp_update({"style-src": [SWAGGER_UI_STYLE_HASH]})(
    SpectacularSwaggerSplitView.as_view(url_name="v1:schema")
)
