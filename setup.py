"""Builds newsearch's one compiled module; everything else is in setup.cfg.

``newsearch._scan`` (the word scanner) is optional: without a C compiler the install
goes on and ``newsearch.analysis`` finds the same words with its regular expressions.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("newsearch._scan", ["newsearch/_scan.c"], optional=True)])
