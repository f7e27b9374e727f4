"""The branch's rules: pure Python, no Qt, no sockets, no SQL."""
