"""The wire: envelope schema, codec, sockets, the station link. Knows no branch rules."""
