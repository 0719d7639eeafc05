"""Sphinx configuration of the skgesture documentation.

Build with ``make docs`` (warnings are errors). The user-guide pages are the Markdown files
beside this one (read by MyST); the API reference is generated from the numpydoc docstrings;
the gallery runs ``examples/plot_*.py``.
"""

import os
import warnings

import skgesture

# The gallery trains small networks. On a shared or small machine, several torch threads per
# process slow training down manyfold; one thread keeps the build time predictable.
os.environ.setdefault("OMP_NUM_THREADS", "1")

project = "skgesture"
author = "skgesture developers"
copyright = "skgesture developers"
version = release = skgesture.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.md5"]

# MyST: the user guide is written in GitHub-flavoured Markdown.
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

# autodoc / autosummary / numpydoc
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# sphinx-gallery: every examples/plot_*.py runs during the build (demo.py is `make demo`'s).
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"demo\.py",
    "doc_module": ("skgesture",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"skgesture": None},
    "download_all_examples": False,
    "remove_config_comments": True,
    "min_reported_time": 1,
    "abort_on_example_error": True,
}

html_theme = "pydata_sphinx_theme"
html_title = f"skgesture {release}"
html_static_path = ["_static"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_show_sourcelink = False

warnings.filterwarnings(
    "ignore",
    category=UserWarning,
    message="Matplotlib is currently using agg, which is a non-GUI backend",
)


def _skip_scikit_learn_members(app, what, name, obj, skip, options):
    """Leave out members inherited from scikit-learn (get_params, set_output, score...).

    They are documented by scikit-learn, and their docstrings refer to its own glossary.
    """
    function = getattr(obj, "fget", obj)
    if (getattr(function, "__module__", None) or "").startswith("sklearn."):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_scikit_learn_members)
