"""`triptych show --html`: one self-contained page, every concept with its pictures
computed by the backends; and the pictures themselves, as the report writes them.

The page is made once for the module (every picture, every backend: the slow
part), then read by each test.
"""

from __future__ import annotations

import html
import html.parser
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from browser import find_chromium, render
from conftest import load_backend
from helpers import once_per_run

from comparisons import cli, show
from comparisons.show import descent, pictures

DATA_PNG = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


@pytest.fixture(scope="module")
def backends():
    return [load_backend(name) for name in ("numpy", "torch", "jax")]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    rows = [
        dict(quantity="relu", backend="numpy", passed=True, max_rel_err=1e-8),
        dict(quantity="relu_grad", backend="numpy", passed=False, max_rel_err=2e-3),
    ]
    pd.DataFrame(rows).to_csv(folder / "consistency.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def page(tmp_path_factory, report, backends) -> Path:
    def make(folder):
        path = folder / "show.html"
        assert cli.main(["show", "--html", str(path), "--report", str(report)]) == 0
        return path

    return once_per_run(tmp_path_factory, "show-page", make)


class StrictParser(html.parser.HTMLParser):
    """Collects ids, links and headings; fails on any tag closed out of order."""

    VOID = {"meta", "br", "img", "hr", "link", "input"}

    def __init__(self):
        super().__init__()
        self.open, self.ids, self.links, self.headings = [], set(), [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            assert attrs["id"] not in self.ids, f"duplicate id {attrs['id']}"
            self.ids.add(attrs["id"])
        if tag == "a":
            self.links.append(attrs.get("href"))
        if tag in ("h1", "h2", "h3"):
            self.headings.append("")
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_data(self, data):
        if any(tag in ("h1", "h2", "h3") for tag in self.open):
            self.headings[-1] += data

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()


def _parse(text: str) -> StrictParser:
    parser = StrictParser()
    parser.feed(text)
    parser.close()
    assert parser.open == []
    return parser


def test_the_page_holds_every_concept_with_a_contents_link(page):
    text = page.read_text()
    parser = _parse(text)
    for name in show.names():
        assert name in parser.ids and f"#{name}" in parser.links
    for package in ("impl_numpy", "impl_torch", "impl_jax"):
        assert f"{package}/network.py:" in text
    code = html.unescape(re.sub(r"<[^>]+>", "", text))  # the code, highlighted
    assert "def loss_and_grads(params: Params, x: Array, y: Array" in code


def test_headings_show_code_without_backticks(page):
    headings = _parse(page.read_text()).headings
    assert any("while not converged" in h or "training loop" in h for h in headings)
    assert not [h for h in headings if "`" in h]


def test_the_page_loads_nothing_from_outside_itself(page):
    text = page.read_text()
    assert "<script" not in text and "http" not in text
    assert not re.search(
        r'(src|href)="(?!data:image/png;base64,|#|[\w./-]+\.csv")', text
    )


def test_the_page_carries_a_picture_of_every_concept_and_none_is_blank(page):
    text = page.read_text()
    sections = re.split(r'<section id="', text)[1:]
    for section in sections:
        assert DATA_PNG.search(section), section[:40]  # every concept has pictures
    images = DATA_PNG.findall(text)
    assert len(images) >= 8
    import base64

    import matplotlib.image

    for data in images:
        pixels = matplotlib.image.imread(io.BytesIO(base64.b64decode(data)))
        assert (pixels[..., :3] != pixels[0, 0, :3]).any(axis=-1).mean() > 0.02


def test_the_page_links_each_concept_to_its_consistency_rows(page):
    text = page.read_text()
    relu = text[
        text.index('<section id="relu">') : text.index('<section id="softmax">')
    ]
    assert "consistency.csv</a>" in relu and "<td>1/2</td>" in relu
    assert 'class="badge fail"' in text  # relu's failure shows in the contents


@pytest.mark.skipif(
    find_chromium() is None,
    reason="no Chromium binary (apt-get install chromium; .ci/run installs it)",
)
def test_chromium_renders_the_page_and_every_picture_without_errors(page, tmp_path):
    rendered = render(page, screenshot=tmp_path / "show.png", width=1400)
    assert rendered.console_errors == [] and rendered.broken == []
    assert rendered.title.startswith("triptych")
    assert rendered.images >= 8 and rendered.images_rendered == rendered.images
    assert min(rendered.image_ink) > 0.02  # no picture is blank
    outside = [
        url
        for url in rendered.requests
        if url != page.resolve().as_uri() and not url.startswith("data:image/png")
    ]
    assert outside == []  # the page, and its own data: URIs, nothing else
    assert rendered.screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -------------------------------------------------------------- the pictures


def test_write_puts_every_concepts_pictures_into_a_folder(tmp_path, backends):
    paths = pictures.write(tmp_path / "pictures", backends)
    assert {p.name.split("-")[0] for p in paths} == set(show.names())
    assert len(paths) >= 8
    for path in paths:
        assert path.parent == tmp_path / "pictures"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_picture_that_needs_a_missing_backend_says_so(backends):
    drawn, missing = pictures.for_concept("autodiff", backends)  # no engine given
    assert [p.kind for p in drawn] == ["gradients"]
    assert "examples/autodiff_backend.py" in missing


def test_every_backend_descends_the_oracles_path(backends):
    params, x, y = descent.problem()
    right = dict(descent.RATES)["right"]
    exact = descent.oracle_path(params, x, y, right)
    for backend in backends:
        path = descent.path(backend, params, x, y, right)
        assert path.shape == exact.shape
        np.testing.assert_allclose(path, exact, rtol=1e-4, atol=1e-5)


def test_the_largest_learning_rate_diverges_and_the_smallest_crawls(backends):
    params, x, y = descent.problem()
    rates = dict(descent.RATES)
    small, right, big = (
        descent.path(backends[0], params, x, y, rates[k])
        for k in ("too small", "right", "diverges")
    )
    assert big[-1, 2] > 10 * big[0, 2]  # the loss grows
    assert right[-1, 2] < small[-1, 2] < small[0, 2]  # both go down; the right one more
