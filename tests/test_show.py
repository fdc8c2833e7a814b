"""`triptych show`: every concept from its formula to its code in each backend, in
the terminal and as one HTML page, read from the source files at run time."""

from __future__ import annotations

import importlib
import inspect
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import reference
from comparisons import cli, show
from comparisons.show import columns, concepts, source, wrap

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")
CONCEPTS = show.names()


def test_the_concept_map_follows_the_tutorial_with_every_activation_of_reference():
    activations = concepts.activation_names()
    assert set(activations) <= set(reference.ACTIVATIONS) | set(reference.OUTPUTS)
    assert CONCEPTS == [
        "network",
        *activations,
        *reference.LOSSES,
        "loss_and_grads",
        "autodiff",
        "sgd_step",
        "train",
    ]


@pytest.mark.parametrize("name", concepts.activation_names())
def test_every_activation_has_its_concept_text(name):
    assert name in concepts.ACTIVATION_TEXT
    assert show.resolve(name).differs


@pytest.mark.parametrize("name", CONCEPTS)
def test_every_name_the_concept_map_points_at_exists_in_its_file(name):
    concept = show.resolve(name)
    for column in columns.columns(concept):
        shown = [s for row in concept.rows for s in column.cell(row)]
        assert shown or not concept.functions(column.key), f"{name}: {column.key}"
        for snippet in shown:
            head = "\n".join(
                line.strip() for line in snippet.lines if line.strip()[:1] not in "@#"
            )
            function = snippet.name.split(".")[-1]
            assert re.match(rf"(def {function}\(|{function} = )", head), head


def test_a_renamed_function_is_named_in_the_error(tmp_path):
    renamed = tmp_path / "network.py"
    text = (source.package_dir("impl_numpy") / "network.py").read_text()
    renamed.write_text(text.replace("def _output_delta(", "def _delta_at_output("))
    with pytest.raises(ValueError, match=r"must define '_output_delta'.*concepts.py"):
        source.snippet(renamed, "_output_delta")


def test_functions_share_a_row_only_where_every_column_names_the_same_job():
    for concept in show.CONCEPTS:
        for row in concept.rows:
            names = {tuple(n) for n in row.names.values()}
            assert len(names) == 1 or row.job, (concept.name, row)
    gradients = show.resolve("loss_and_grads")
    (delta,) = [row for row in gradients.rows if "_output_delta" in str(row.names)]
    assert delta.names == {"numpy": ("_output_delta",)}  # not beside JAX's _loss


@pytest.mark.parametrize("name", CONCEPTS)
def test_every_concept_carries_its_formula_from_the_oracle_and_what_differs(name):
    concept = show.resolve(name)
    formula = show.formula(concept)
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
    concept = show.resolve(name)
    output = show.text(concept, width=400)  # wide: no line is wrapped
    for module, function in concept.functions(backend.NAME):
        for line in _real_source(backend, module, function).splitlines():
            assert line.strip() in output, f"{backend.NAME} {function}: {line!r}"


@pytest.mark.parametrize("width", [80, 120, 200])
@pytest.mark.parametrize("name", CONCEPTS)
def test_no_line_of_the_terminal_view_is_wider_than_the_terminal(name, width):
    for color in (False, True):
        output = show.text(name, width=width, color=color)
        widest = max(len(ANSI.sub("", line)) for line in output.splitlines())
        assert widest <= width


@pytest.mark.parametrize("name", ["relu", "loss_and_grads", "train", "cross_entropy"])
def test_three_columns_read_side_by_side_at_120_characters(name):
    output = show.text(name, width=120)
    assert "Columns, left to right: NumPy" in output
    code = output[output.index("Columns, left to right") :].splitlines()
    assert sum("│" in line for line in code) > len(code) / 2
    continued = [line for line in code if "↪" in line]
    assert len(continued) < len(code) / 2  # most lines are whole


def test_a_narrow_terminal_stacks_the_columns():
    narrow = show.text("relu", width=80)
    assert "│" not in narrow
    for title in ("NumPy: backprop by hand", "PyTorch: autograd", "JAX: jax.grad"):
        assert title in narrow


def test_a_line_the_same_in_every_column_is_printed_once_across_them():
    output = show.text("relu", width=120)
    (signature,) = [line for line in output.splitlines() if "def relu(" in line]
    assert "│" not in signature and signature.startswith("def relu(z: Array)")


def _formula_lines(output: str) -> list[str]:
    start = output.index("Formula  (reference/oracle.py)")
    return output[start : output.index("What differs:")].splitlines()[1:]


@pytest.mark.parametrize("width", [80, 120, 200])
@pytest.mark.parametrize("name", CONCEPTS)
def test_formulas_never_break_inside_an_expression(name, width):
    for line in _formula_lines(show.text(name, width=width)):
        text = line.strip()
        assert not re.search(r"(^|\s)[=+*/@^-]$", text), line  # no dangling operator
        assert not re.match(r"^[=+*/@^]\s", text), line
        opened = text.count("(") + text.count("[") + text.count("{")
        closed = text.count(")") + text.count("]") + text.count("}")
        assert opened == closed, line


def test_at_200_columns_a_formula_laid_out_by_hand_keeps_every_line():
    output = show.text("loss_and_grads", width=200)
    doc = inspect.getdoc(reference.oracle.loss_and_grads)
    for line in doc.splitlines():
        assert any(line.strip() in out for out in _formula_lines(output)), line


def test_prose_breaks_only_between_words_outside_formulas():
    pieces = wrap.pieces("L = (1 / (N C)) sum_{n,i} (y_hat - y)^2: the mean, no 1/2.")
    assert pieces[0] == "L = (1 / (N C)) sum_{n,i} (y_hat - y)^2:"
    assert wrap.prose("f(z) = 1 / (1 + e^-z), evaluated for any z.", 24) == [
        "f(z) = 1 / (1 + e^-z),",
        "evaluated for any z.",
    ]


def test_equal_lines_sit_level_across_the_columns():
    numpy = ["def relu(z):", "    return np.maximum(z, 0)"]
    jax = ["@in_input_dtype", "def relu(z):", "    return jax.nn.relu(z)"]
    assert show.align.align([numpy, jax]) == [[None, 0], [0, 1], [1, 2]]


def test_the_train_loops_line_up_on_their_common_lines():
    output = show.text("train", width=400)
    level = [
        line for line in output.splitlines() if "if converged(losses, tol):" in line
    ]
    assert len(level) == 1  # the same in all three: once, across the columns


def test_highlighting_colours_the_code_and_can_be_turned_off():
    pytest.importorskip("pygments")
    assert "\x1b[" in show.text("relu", width=200, color=True)
    assert "\x1b[" not in show.text("relu", width=200, color=False)


def test_without_pygments_the_code_is_shown_plain(monkeypatch):
    monkeypatch.setattr(show.align, "PythonLexer", None)
    output = show.text("relu", width=200, color=True)
    assert "\x1b[" not in output and "return np.maximum(z, 0)" in output
    page = show.html_page(["relu"], pictures=False)
    assert "return np.maximum(z, 0)" in page and 'class="k"' not in page


def test_backends_picks_the_columns():
    output = show.text("relu", backends="numpy,jax", width=200)
    assert "impl_numpy/" in output and "impl_jax/" in output
    assert "impl_torch/" not in output


def test_an_unknown_backend_is_refused_naming_the_choices():
    with pytest.raises(ValueError, match="some of numpy, torch, jax.*got numpy,mxnet"):
        show.check_backends("numpy,mxnet")


def test_an_unknown_concept_is_refused_with_the_closest_names():
    with pytest.raises(ValueError, match=r"got 'relx'; closest: relu"):
        show.resolve("relx")


@pytest.mark.parametrize(
    "name, concept",
    [
        ("relu_grad", "relu"),
        ("backprop", "loss_and_grads"),
        ("forward", "network"),
        ("loss", "network"),
        ("softmax_cross_entropy_grad", "cross_entropy"),
        ("sync", "train"),
        ("tape", "autodiff"),
    ],
)
def test_function_names_and_aliases_find_their_concept(name, concept):
    assert show.resolve(name).name == concept


def test_the_source_is_read_from_the_files_at_run_time(tmp_path, monkeypatch):
    copy = tmp_path / "impl_numpy"
    shutil.copytree(source.package_dir("impl_numpy"), copy)
    found = source.package_dir
    monkeypatch.setattr(
        source, "package_dir", lambda p: copy if p == "impl_numpy" else found(p)
    )
    path = copy / "activations.py"
    edited = "return np.maximum(z, 0)  # edited a moment ago"
    path.write_text(path.read_text().replace("return np.maximum(z, 0)", edited))
    assert edited in show.text("relu", width=400)


# ------------------------------------------------------------ autodiff, traps


def test_autodiff_sets_four_ways_of_getting_gradients_side_by_side():
    output = show.text("autodiff", width=400)
    titles = [c.title for c in columns.columns(show.resolve("autodiff"))]
    assert [t.split(":")[0] for t in titles] == ["NumPy", "Engine", "PyTorch", "JAX"]
    for line in (
        "def backward(self, seed=None) -> None:",  # the engine's pass over its tape
        "grads = torch.autograd.grad(value, leaves)",  # torch's tape
        "_loss_and_grads = jax.jit(jax.value_and_grad(_loss)",  # JAX's transform
        "for i in reversed(range(len(params))):",  # NumPy's backprop by hand
    ):
        assert line in output
    assert "examples/autodiff_backend.py:" in output


@pytest.mark.parametrize("concept, trap", show.traps.all_traps(), ids=lambda x: str(x))
def test_each_trap_is_shown_under_its_concept_and_demonstrated_by_a_test(concept, trap):
    assert trap.title in show.text(concept, width=200)
    tests = (ROOT / "tests" / "test_frameworks_differ.py").read_text()
    assert f"def {trap.test}(" in tests
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Where frameworks differ") :].split("\n## ")[0]
    assert f"**{trap.title}.**" in section


# ----------------------------------------------------------- outside backends


def test_an_outside_backend_gets_a_column_read_from_its_own_file(capsys):
    args = ["show", "relu", "--backend", "examples.autodiff_backend", "--width", "240"]
    assert cli.main([*args, "--color", "never"]) == 0
    out = capsys.readouterr().out
    assert "autodiff: examples.autodiff_backend" in " ".join(out.split())
    assert "return Tensor(z).relu().value" in out  # its relu, from its file
    assert "return _vjp(Tensor.relu, z, g)" in out
    assert "dL/dz given g = dL/df(z): build f's graph on z" in out  # its helper


def test_a_non_backend_gets_the_same_conformance_message_as_check(capsys):
    assert cli.main(["show", "relu", "--backend", "json.decoder"]) == 2
    shown = capsys.readouterr().err
    assert cli.main(["check", "--backends", "json.decoder"]) == 2
    checked = capsys.readouterr().err
    assert "does not fit the backend API: missing NAME" in shown
    assert shown.split("error: ", 1)[1] == checked.split("error: ", 1)[1]


def test_a_backend_without_source_says_so_and_the_others_still_show(
    tmp_path, monkeypatch, capsys
):
    """A sourceless module (only its .pyc, as a compiled distribution ships)."""
    import py_compile

    package = tmp_path / "sourceless"
    package.mkdir()
    (package / "__init__.py").write_text("")
    code = (ROOT / "examples" / "autodiff_backend.py").read_text()
    (package / "engine.py").write_text(code)
    py_compile.compile(str(package / "engine.py"), str(package / "engine.pyc"))
    (package / "engine.py").unlink()
    monkeypatch.syspath_prepend(str(tmp_path))
    args = ["show", "relu", "--backend", "sourceless.engine", "--width", "240"]
    assert cli.main([*args, "--color", "never"]) == 0
    out = capsys.readouterr().out
    assert "source not available for relu" in out
    assert "return np.maximum(z, 0)" in out and "return torch.relu(z)" in out


# ---------------------------------------------------------------- the report


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
    results = show.load_report(_report(tmp_path))
    summary = show.consistency_summary(show.resolve("relu"), results)
    assert summary.to_dict("records") == [
        dict(
            backend="numpy",
            cases=2,
            passed=1,
            worst_max_rel_err=2e-3,
            worst_case="relu_grad float32 vs oracle",
        )
    ]
    output = show.text("relu", width=120, results=results)
    assert "Consistency of relu, relu_grad: passed numpy 1/2" in output


# ---------------------------------------------------------------- the command


def test_show_list_lists_every_concept_autodiff_too(capsys):
    assert cli.main(["show", "--list", "--width", "80"]) == 0
    out = capsys.readouterr().out
    assert all(re.search(rf"^{name} ", out, re.M) for name in CONCEPTS)
    assert re.search(r"^autodiff ", out, re.M)
    assert max(len(line) for line in out.splitlines()) <= 80


def test_show_prints_the_formula_then_the_code(capsys):
    assert cli.main(["show", "relu", "--width", "200", "--color", "never"]) == 0
    out = capsys.readouterr().out
    assert out.index("f(z) = max(0, z)") < out.index("def relu(")


def test_show_says_how_to_draw_the_pictures_or_where_the_report_has_them(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["show", "relu", "--width", "120"]) == 0
    assert "`triptych show relu --html relu.html`" in capsys.readouterr().out
    _report(tmp_path)
    (tmp_path / "report" / "pictures").mkdir()
    (tmp_path / "report" / "pictures" / "relu-activation.png").write_bytes(b"")
    assert cli.main(["show", "relu", "--width", "120"]) == 0
    assert "Pictures: report/pictures/relu-activation.png" in capsys.readouterr().out


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


def test_show_refuses_a_report_dir_without_results(tmp_path, capsys):
    assert cli.main(["show", "relu", "--report", str(tmp_path)]) == 2
    assert "report must be a directory with consistency.csv" in capsys.readouterr().err


def test_the_terminal_view_and_the_notebook_text_import_neither_torch_nor_jax():
    code = (
        "import sys\n"
        "import comparisons\n"
        "from comparisons import cli\n"
        "cli.main(['show', 'train', '--width', '200'])\n"
        "cli.main(['show', '--list'])\n"
        "str(comparisons.show('autodiff'))\n"
        "loaded = {'torch', 'jax', 'matplotlib'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_comparisons_show_is_the_package_and_callable():
    view = show("relu")
    assert "relu: ReLU and its derivative" in str(view)
    assert callable(show) and callable(show.text) and callable(show.html_page)
    assert hasattr(view, "_repr_html_")


SCRIPTY = '''
"""impl_numpy under a NAME that is an HTML tag: every page must escape it."""
from types import SimpleNamespace

import impl_numpy
from comparisons.backends import API, UNITS

backend = SimpleNamespace(**{n: getattr(impl_numpy, n) for n in API + UNITS})
backend.NAME = "<script>alert(1)</script>"
'''


def test_a_backend_named_like_a_script_tag_is_escaped_in_the_page(
    tmp_path, monkeypatch, capsys
):
    (tmp_path / "scripty.py").write_text(SCRIPTY)
    monkeypatch.syspath_prepend(str(tmp_path))
    page = tmp_path / "relu.html"
    argv = ["show", "relu", "--backend", "scripty:backend", "--html", str(page)]
    assert cli.main(argv) == 0, capsys.readouterr().err
    text = page.read_text()
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)" in text
