"""Package layout (the rest of the metadata is in pyproject.toml).

Two folders of the repository are installed inside the ``drive_atlas`` namespace, so that
nothing but ``drive_atlas`` lands at the top of site-packages:

* ``webapp/`` becomes ``drive_atlas.web`` (its subpackages follow);
* the built-in atlas (``circuits/``, ``neuropeptides/``, ``data/``, ``schema/``) becomes
  package data under ``drive_atlas/builtin/``, so an installed package has its atlas.
"""

from setuptools import find_namespace_packages, find_packages, setup

WEB = "drive_atlas.web"
BUILTIN = "drive_atlas.builtin"
ATLAS_FOLDERS = ("circuits", "neuropeptides", "data", "schema")  # every file in them, at any depth

web_packages = {WEB: "webapp", **{f"{WEB}.{sub}": f"webapp/{sub.replace('.', '/')}" for sub in find_packages("webapp")}}
atlas_packages = {f"{BUILTIN}.{folder}": folder for folder in ATLAS_FOLDERS}

setup(
    packages=find_packages(include=["drive_atlas", "drive_atlas.*"]) + list(web_packages) + list(atlas_packages),
    package_dir={**web_packages, **atlas_packages},
    package_data={
        "drive_atlas": ["spec/*.json"],
        WEB: ["assets/*", "README.md"],
        **{package: ["**/*"] for package in atlas_packages},
    },
)
