"""`triptych show`: every concept from its formula to its code in each backend, in
the terminal and as one HTML page, read from the source files at run time."""

from __future__ import annotations

import html
import html.parser
import importlib
import inspect
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from browser import find_chromium, render

from comparisons import cli, sidebyside

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")
CONCEPTS = sidebyside.names()
SEED_TOPICS = [
    "network",
    "sigmoid",
    "tanh",
    "relu",
    "softmax",
    "mse",
    "cross_entropy",
    "loss_and_grads",
    "sgd_step",
    "train",
]


def test_the_concept_map_covers_the_seeds_topics_in_order():
    assert CONCEPTS == SEED_TOPICS


@pytest.mark.parametrize("name", CONCEPTS)
@pytest.mark.parametrize("backend", list(sidebyside.BACKENDS))
def test_every_concept_resolves_in_every_backend(name, backend):
    concept = sidebyside.resolve(name)
    functions = concept.functions(backend)
    assert functions, f"{name} shows nothing for {backend}"
    for module, function in functions:
        snippet = sidebyside.snippet(backend, module, function)
        head = "\n".join(
            line for line in snippet.lines if not line.startswith(("@", "#"))
        )
        assert re.match(rf"(def {function}\(|{function} = )", head), head
        assert snippet.path == f"impl_{backend}/{module}.py"


@pytest.mark.parametrize("name", CONCEPTS)
def test_every_concept_carries_its_formula_from_the_oracle_and_what_differs(name):
    concept = sidebyside.resolve(name)
    formula = sidebyside.formula(concept)
    assert formula and all(text.strip() for _, text in formula)
    assert len(concept.differs.split()) > 15


def _real_source(backend, module: str, name: str) -> str:
    """The source as Python's own inspect sees it (or the assignment's line)."""
    obj = getattr(importlib.import_module(f"{backend.__name__}.{module}"), name)
    function = inspect.unwrap(obj)
    if inspect.isfunction(function) and function.__name__ == name:
        return inspect.getsource(function)
    text = Path(inspect.getsourcefile(backend)).parent.joinpath(f"{module}.py")
    return re.search(rf"^{name} = .*$", text.read_text(), re.M).group(0)


@pytest.mark.parametrize("name", CONCEPTS)
def test_each_backends_source_text_appears_in_the_terminal_view(backend, name):
    concept = sidebyside.resolve(name)
    output = sidebyside.text(concept, width=400)  # wide: no line is wrapped
    for module, function in concept.functions(backend.NAME):
        for line in _real_source(backend, module, function).splitlines():
            assert line.rstrip() in output, f"{backend.NAME} {function}: {line!r}"


@pytest.mark.parametrize("width", [80, 120, 200])
@pytest.mark.parametrize("name", CONCEPTS)
def test_no_line_of_the_terminal_view_is_wider_than_the_terminal(name, width):
    for color in (False, True):
        output = sidebyside.text(name, width=width, color=color)
        widest = max(len(ANSI.sub("", line)) for line in output.splitlines())
        assert widest <= width


def test_a_wide_terminal_gets_aligned_columns_and_a_narrow_one_stacks():
    wide = sidebyside.text("relu", width=200)
    narrow = sidebyside.text("relu", width=80)
    assert "│" in wide and "│" not in narrow
    header = next(line for line in wide.splitlines() if "NumPy: backprop" in line)
    assert "PyTorch" in header and "JAX" in header
    for title in ("NumPy: backprop by hand", "PyTorch: autograd", "JAX: jax.grad"):
        assert title in narrow


def test_equal_lines_sit_level_across_the_columns():
    numpy = ["def relu(z):", "    return np.maximum(z, 0)"]
    jax = ["@in_input_dtype", "def relu(z):", "    return jax.nn.relu(z)"]
    rows = sidebyside.align([numpy, jax])
    assert rows == [[None, 0], [0, 1], [1, 2]]


def test_the_train_loops_line_up_on_their_common_lines():
    output = sidebyside.text("train", width=400)
    level = [
        line for line in output.splitlines() if "if converged(losses, tol):" in line
    ]
    assert len(level) == 1 and level[0].count("if converged") == 3


def test_highlighting_colours_the_code_and_can_be_turned_off():
    pytest.importorskip("pygments")
    assert "\x1b[" in sidebyside.text("relu", width=200, color=True)
    assert "\x1b[" not in sidebyside.text("relu", width=200, color=False)


def test_without_pygments_the_code_is_shown_plain(monkeypatch):
    monkeypatch.setattr(sidebyside, "PythonLexer", None)
    output = sidebyside.text("relu", width=200, color=True)
    assert "\x1b[" not in output and "return np.maximum(z, 0)" in output
    page = sidebyside.html_page(["relu"])
    assert "return np.maximum(z, 0)" in page and 'class="k"' not in page


def test_backends_picks_the_columns():
    output = sidebyside.text("relu", backends="numpy,jax", width=200)
    assert "impl_numpy/" in output and "impl_jax/" in output
    assert "impl_torch/" not in output


def test_an_unknown_backend_is_refused_naming_the_choices():
    with pytest.raises(ValueError, match="some of numpy, torch, jax.*got numpy,mxnet"):
        sidebyside.check_backends("numpy,mxnet")


def test_an_unknown_concept_is_refused_with_the_closest_names():
    with pytest.raises(ValueError, match=r"got 'relx'; closest: relu"):
        sidebyside.resolve("relx")


@pytest.mark.parametrize(
    "name, concept",
    [
        ("relu_grad", "relu"),
        ("backprop", "loss_and_grads"),
        ("forward", "network"),
        ("loss", "network"),
        ("softmax_cross_entropy_grad", "cross_entropy"),
        ("sync", "train"),
    ],
)
def test_function_names_and_aliases_find_their_concept(name, concept):
    assert sidebyside.resolve(name).name == concept


def test_the_source_is_read_from_the_files_at_run_time(tmp_path, monkeypatch):
    copy = tmp_path / "impl_numpy"
    shutil.copytree(sidebyside.package_dir("numpy"), copy)
    monkeypatch.setattr(
        sidebyside,
        "package_dir",
        lambda backend: copy if backend == "numpy" else ROOT / f"impl_{backend}",
    )
    source = copy / "activations.py"
    edited = "return np.maximum(z, 0)  # edited a moment ago"
    source.write_text(source.read_text().replace("return np.maximum(z, 0)", edited))
    assert edited in sidebyside.text("relu", width=400)


def _report(tmp_path: Path) -> Path:
    rows = [
        dict(quantity="relu", backend="numpy", against="oracle", passed=True),
        dict(quantity="relu_grad", backend="numpy", against="oracle", passed=False),
        dict(quantity="dW[0]", backend="torch", against="numpy", passed=True),
        dict(quantity="step W[0]", backend="jax", against="oracle", passed=True),
    ]
    table = pd.DataFrame(rows).assign(
        level="unit", dtype="float32", sizes="", max_rel_err=[1e-8, 2e-3, 3e-8, 0.0]
    )
    (tmp_path / "report").mkdir()
    table.to_csv(tmp_path / "report" / "consistency.csv", index=False)
    return tmp_path / "report"


def test_the_consistency_results_are_summarised_per_concept(tmp_path):
    results = sidebyside.load_report(_report(tmp_path))
    summary = sidebyside.consistency_summary(sidebyside.resolve("relu"), results)
    assert summary.to_dict("records") == [
        dict(
            backend="numpy",
            cases=2,
            passed=1,
            worst_max_rel_err=2e-3,
            worst_case="relu_grad float32 vs oracle",
        )
    ]
    output = sidebyside.text("relu", width=120, results=results)
    assert "Consistency of relu, relu_grad: passed numpy 1/2" in output


class StrictParser(html.parser.HTMLParser):
    """Collects ids and links, and fails on any tag closed out of order."""

    VOID = {"meta", "br", "img", "hr", "link", "input"}

    def __init__(self):
        super().__init__()
        self.open, self.ids, self.links = [], set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            assert attrs["id"] not in self.ids, f"duplicate id {attrs['id']}"
            self.ids.add(attrs["id"])
        if tag == "a":
            self.links.append(attrs.get("href"))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()


def _parse(page: str) -> StrictParser:
    parser = StrictParser()
    parser.feed(page)
    parser.close()
    assert parser.open == []
    return parser


def test_the_html_page_parses_and_holds_every_concept_with_a_contents_link(tmp_path):
    page = sidebyside.html_page()
    parser = _parse(page)
    for name in CONCEPTS:
        assert name in parser.ids and f"#{name}" in parser.links
    for backend in sidebyside.BACKENDS:
        assert f"impl_{backend}/network.py:" in page
    text = html.unescape(re.sub(r"<[^>]+>", "", page))  # the code, highlighted
    assert "def loss_and_grads(params: Params, x: Array, y: Array" in text
    assert "<script" not in page and "http" not in page  # self-contained


def test_the_html_page_links_each_concept_to_its_consistency_rows(tmp_path):
    results = sidebyside.load_report(_report(tmp_path))
    page = sidebyside.html_page(results=results, report_link="report/consistency.csv")
    _parse(page)
    relu = page[
        page.index('<section id="relu">') : page.index('<section id="softmax">')
    ]
    assert 'href="report/consistency.csv"' in relu and "<td>1/2</td>" in relu
    assert 'class="badge fail"' in page  # relu's failure shows in the contents


@pytest.mark.skipif(
    find_chromium() is None,
    reason="no Chromium binary (apt-get install chromium; .ci/run installs it)",
)
def test_the_html_page_renders_in_headless_chromium_without_errors(tmp_path):
    report = _report(tmp_path)
    page = tmp_path / "show.html"
    assert cli.main(["show", "--html", str(page), "--report", str(report)]) == 0
    rendered = render(page, screenshot=tmp_path / "show.png", width=1400)
    assert rendered.console_errors == [] and rendered.broken == []
    assert rendered.title.startswith("triptych")
    assert rendered.screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- the command


def test_show_list_lists_every_concept(capsys):
    assert cli.main(["show", "--list", "--width", "80"]) == 0
    out = capsys.readouterr().out
    assert all(re.search(rf"^{name} ", out, re.M) for name in CONCEPTS)
    assert max(len(line) for line in out.splitlines()) <= 80


def test_show_prints_the_formula_then_the_code(capsys):
    assert cli.main(["show", "relu", "--width", "200", "--color", "never"]) == 0
    out = capsys.readouterr().out
    assert out.index("f(z) = max(0, z)") < out.index("def relu(")


def test_show_of_an_unknown_concept_fails_with_one_line_naming_the_closest(capsys):
    assert cli.main(["show", "tanhh"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("triptych show: error: CONCEPT must be one of")
    assert "got 'tanhh'; closest: tanh" in err and err.count("\n") == 1


def test_show_with_nothing_to_show_says_what_it_needs(capsys):
    assert cli.main(["show"]) == 2
    assert "show needs a CONCEPT, --list or --html PATH" in capsys.readouterr().err


def test_show_uses_report_dir_when_there_is_one(tmp_path, monkeypatch, capsys):
    _report(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["show", "relu", "--width", "120"]) == 0
    assert "Consistency (report/consistency.csv)" in capsys.readouterr().out
    assert cli.main(["show", "--html", "page.html"]) == 0
    assert 'href="report/consistency.csv"' in (tmp_path / "page.html").read_text()


def test_show_refuses_a_report_dir_without_results(tmp_path, capsys):
    assert cli.main(["show", "relu", "--report", str(tmp_path)]) == 2
    assert "report must be a directory with consistency.csv" in capsys.readouterr().err


def test_show_imports_neither_torch_nor_jax(tmp_path):
    code = (
        "import sys\n"
        "from comparisons import cli\n"
        "cli.main(['show', 'train', '--width', '200'])\n"
        f"cli.main(['show', '--html', {str(tmp_path / 'page.html')!r}])\n"
        "loaded = {'torch', 'jax'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
