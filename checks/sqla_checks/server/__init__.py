"""`sqla-checks server`: the checker as a language server (LSP over stdio, pygls).

Installed with the `lsp` extra (`pip install "sqla-skillpack[lsp]"`); the layers below
it never import it, so linting never loads pygls.
"""
