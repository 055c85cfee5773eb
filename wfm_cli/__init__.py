"""The command layer: the ``wfm`` command line (``main``, ``commands/``) and the demo.

The top floor of the layout: the only code besides ``api`` that imports ``solvers``, and the only
code that imports ``api`` from outside it. ``wfm``, ``solvers`` and ``api`` never import this
package (``tests/test_layers.py``).
"""
