"""Builds the scgrad module for `pip install` with the project's own CMake build.

pip calls this through pyproject.toml (setuptools). The extension is the CMake target
scgrad_python, built for the interpreter running pip (Python_EXECUTABLE) in SCGRAD_BUILD_DIR
(default build/pip, configured on first use; a tree already configured, such as build/ where
scripts/build.sh compiled everything, is built as it is: only what changed compiles again),
then copied into the package. The module links scgrad's libraries
statically: the installed package needs no build tree.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build = Path(os.environ.get("SCGRAD_BUILD_DIR", ROOT / "build" / "pip")).resolve()
        if not (build / "CMakeCache.txt").exists():  # a tree already configured is built as is
            launcher = []
            if shutil.which("ccache"):
                launcher = ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache",
                            "-DCMAKE_C_COMPILER_LAUNCHER=ccache"]
            subprocess.run(["cmake", "-S", str(ROOT), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
                            f"-DPython_EXECUTABLE={sys.executable}", "-DSCGRAD_PYTHON=ON",
                            *launcher], check=True)
        subprocess.run(["cmake", "--build", str(build), "--target", "scgrad_python", "-j",
                        str(os.cpu_count() or 1)], check=True)
        built = sorted((build / "python" / "scgrad").glob("_scgrad*.so"))
        if not built:
            sys.exit(f"scgrad: the CMake build in {build} made no _scgrad module")
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built[0], target)


setup(ext_modules=[Extension("scgrad._scgrad", sources=[])], cmdclass={"build_ext": CMakeBuild},
      options={"build": {"build_base": str(ROOT / "build" / "setuptools")}})
