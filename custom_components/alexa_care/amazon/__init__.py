"""Amazon's unofficial web API, and the only code that imports aioamazondevices.

Everything above this package sees our own frozen dataclasses and our own
exceptions (`models`). The package is split by job: `library` wraps the
library's client and errors, `graphql` holds the queries and reads endpoints,
`device_list` decides when the Echo list and the endpoints' descriptions
are read, `history` reads the voice history page, and `client` is the
account with its requests and commands.
"""
